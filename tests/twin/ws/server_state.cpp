#include "tests/twin/ws/server_state.hpp"

#include <cstdlib>

#include <sys/syscall.h>
#include <unistd.h>

#include "tests/twin/ws/connection.hpp"

namespace meshwatch::twin::ws_detail {

server_state::server_state(boost::asio::io_context& io_ctx, ws_hooks hooks)
    : io(io_ctx), workers(limit.ingest_threads), hooks_(std::move(hooks)) {}

void server_state::out(std::string line) {
  std::lock_guard lock(hooks_mutex_);
  if (!stopping_.load() && hooks_.console_out) {
    hooks_.console_out(std::move(line));
  }
}

void server_state::err(std::string line) {
  std::lock_guard lock(hooks_mutex_);
  if (!stopping_.load() && hooks_.console_err) {
    hooks_.console_err(std::move(line));
  }
}

std::optional<std::string> server_state::ingest(const std::string& frame) {
  if (!hooks_.on_ingest_frame) {
    return std::string(R"({"error":"42883)"
                       "\t\t\t\t"
                       R"(operator does not exist: text ->> unknown"})");
  }
  try {
    return hooks_.on_ingest_frame(frame);
  } catch (...) {
    return std::nullopt;
  }
}

void server_state::runtime_panic(const std::string& message) {
  const auto tid = static_cast<long>(::syscall(SYS_gettid));
  const std::string thread = "thread '<unnamed>' (" + std::to_string(tid) + ") panicked at ";
  err("");
  err(thread + "crates/mesh-rt/src/collections/list.rs:134:13:");
  err(message);
  err("note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace");
  err("");
  err(thread + "library/core/src/panicking.rs:225:5:");
  err("panic in a function that cannot unwind");
  err("stack backtrace:");
  err("thread caused non-unwinding panic. aborting.");
  std::abort();
}

bool server_state::add(const std::shared_ptr<connection>& conn) {
  std::lock_guard lock(registry_mutex_);
  if (stopping_.load() || connections_.size() >= limit.max_connections) {
    return false;
  }
  connections_.emplace(conn.get(), conn);
  return true;
}

void server_state::remove(const connection* conn) {
  std::shared_ptr<connection> last;  // destroyed outside the lock
  std::lock_guard lock(registry_mutex_);
  const auto it = connections_.find(conn);
  if (it != connections_.end()) {
    last = std::move(it->second);
    connections_.erase(it);
  }
}

std::size_t server_state::count() const {
  std::lock_guard lock(registry_mutex_);
  return connections_.size();
}

void server_state::add_acceptor(std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor) {
  std::lock_guard lock(registry_mutex_);
  acceptors_.push_back(std::move(acceptor));
}

void server_state::stop() {
  {
    // Taking the hooks mutex waits out a console hook that is running right now.
    std::lock_guard lock(hooks_mutex_);
    if (stopping_.exchange(true)) {
      return;
    }
  }
  std::vector<std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors;
  std::unordered_map<const connection*, std::shared_ptr<connection>> connections;
  {
    std::lock_guard lock(registry_mutex_);
    acceptors.swap(acceptors_);
    connections.swap(connections_);
  }
  for (auto& acceptor : acceptors) {
    // Closing from a foreign thread while an accept is pending is safe with Linux's epoll
    // reactor (the descriptor state is locked); it makes stop() take effect at once.
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
  for (auto& [raw, conn] : connections) {
    conn->abort();
  }
  workers.stop();
  workers.join();
}

std::string os_error_text(const boost::system::error_code& ec) {
  if (ec.category() == boost::system::system_category()) {
    return ec.message() + " (os error " + std::to_string(ec.value()) + ")";
  }
  return ec.message();
}

}  // namespace meshwatch::twin::ws_detail

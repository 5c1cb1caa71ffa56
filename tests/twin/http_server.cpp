#include "tests/twin/http_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace meshwatch::twin {

struct http_server::state {
  http_server_config config;
  std::mutex mutex;
  std::condition_variable slot_freed;
  std::size_t active = 0;
};

void http_connection::respond(const http_response& response) {
  if (answered_) return;
  answered_ = true;
  send_all(fd_, serialize_response(response));
}

bool http_connection::peer_gone() const {
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

http_server::http_server(http_server_config config) : state_(std::make_shared<state>()) {
  state_->config = std::move(config);
}

http_server::~http_server() = default;

void http_server::serve(int listen_fd) {
  // The accept thread owns a reference to the shared state; the process never tears servers
  // down (Mesher has no graceful shutdown either), so the threads are detached.
  std::thread([st = state_, listen_fd] {
    for (;;) {
      {
        std::unique_lock lock(st->mutex);
        st->slot_freed.wait(lock, [&] { return st->active < st->config.max_connections; });
      }
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR) continue;
        if (st->config.on_accept_error) st->config.on_accept_error(os_error(errno));
        // Mesher retries at once (a log flood at fd exhaustion); 1 ms keeps the flood but
        // leaves the machine usable for the tests.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      {
        std::lock_guard lock(st->mutex);
        ++st->active;
      }
      std::thread([st, fd] {
        timeval tv{};
        tv.tv_sec = st->config.read_timeout.count();
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        auto parsed = read_request(fd);
        if (auto* error = std::get_if<parse_error>(&parsed)) {
          if (st->config.on_parse_error) st->config.on_parse_error(*error);
        } else {
          http_connection conn(fd);
          st->config.handler(conn, std::get<http_request>(parsed));
        }
        ::close(fd);
        {
          std::lock_guard lock(st->mutex);
          --st->active;
        }
        st->slot_freed.notify_one();
      }).detach();
    }
  }).detach();
}

}  // namespace meshwatch::twin

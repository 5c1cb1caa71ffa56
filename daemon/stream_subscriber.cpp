#include "daemon/stream_subscriber.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace meshwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
constexpr std::size_t max_buffered = 256;           // pushes kept per run
constexpr std::size_t max_message_bytes = 1 << 20;  // per push
constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct stream_subscriber::impl {
  explicit impl(asio::any_io_executor ex) : ws(ex), signal(ex) {}
  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer signal;  // cancelled whenever a push arrives or the stream ends
  std::deque<std::string> messages;
  bool closed = false;
};

namespace {

asio::awaitable<void> read_loop(std::shared_ptr<stream_subscriber::impl> s) {
  beast::flat_buffer buffer;
  while (!s->closed) {
    auto [ec, n] = co_await s->ws.async_read(buffer, as_tuple_awaitable);
    if (ec) break;
    if (s->messages.size() < max_buffered) {
      s->messages.push_back(beast::buffers_to_string(buffer.data()));
    }
    buffer.consume(buffer.size());
    s->signal.cancel();
  }
  s->closed = true;
  s->signal.cancel();
}

}  // namespace

stream_subscriber::stream_subscriber(std::shared_ptr<impl> impl) : impl_(std::move(impl)) {}

stream_subscriber::~stream_subscriber() { close(); }

asio::awaitable<std::shared_ptr<stream_subscriber>> stream_subscriber::open(
    probe_endpoint endpoint, std::string path, std::chrono::milliseconds timeout,
    std::shared_ptr<std::string> error) {
  auto s = std::make_shared<impl>(co_await asio::this_coro::executor);
  auto& tcp = beast::get_lowest_layer(s->ws);
  tcp.expires_after(timeout);
  auto [connect_error] = co_await tcp.async_connect(endpoint.address, as_tuple_awaitable);
  if (connect_error) {
    *error = "subscriber connect: " + connect_error.message();
    co_return nullptr;
  }
  s->ws.read_message_max(max_message_bytes);
  auto [handshake_error] = co_await s->ws.async_handshake(endpoint.host_header, path, as_tuple_awaitable);
  if (handshake_error) {
    *error = "subscriber handshake: " + handshake_error.message();
    co_return nullptr;
  }
  // The stream lives on after the handshake: no TCP expiry, and Beast answers Mesher's pings.
  tcp.expires_never();
  asio::co_spawn(s->ws.get_executor(), read_loop(s), asio::detached);
  co_return std::shared_ptr<stream_subscriber>(new stream_subscriber(s));
}

asio::awaitable<std::optional<std::size_t>> stream_subscriber::wait_for(
    std::function<bool(const std::string&)> matches, std::chrono::steady_clock::time_point deadline) {
  std::size_t checked = 0;
  for (;;) {
    for (; checked < impl_->messages.size(); ++checked) {
      if (matches(impl_->messages[checked])) co_return checked;
    }
    if (impl_->closed || std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
    impl_->signal.expires_at(deadline);
    co_await impl_->signal.async_wait(as_tuple_awaitable);  // cancelled on a push: look again
  }
}

const std::string& stream_subscriber::message(std::size_t index) const { return impl_->messages.at(index); }

void stream_subscriber::close() {
  if (!impl_ || impl_->closed) return;
  impl_->closed = true;
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);  // ends the read loop
  impl_->signal.cancel();
}

}  // namespace meshwatch

#include "tests/integration/twin/ws_probe.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace meshwatch::twin_test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct ws_probe::impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  bool open = false;
  int close_code = 0;
  std::string close_reason;

  // Runs one async operation to completion or the deadline (then cancels it).
  template <class Start>
  beast::error_code run(Start start, std::chrono::milliseconds timeout) {
    bool done = false;
    beast::error_code result = asio::error::timed_out;
    start([&](beast::error_code ec) {
      done = true;
      result = ec;
    });
    io.restart();
    io.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws).socket().cancel();
      io.restart();
      io.run_for(std::chrono::seconds(1));
      result = asio::error::timed_out;
    }
    return result;
  }
};

ws_probe::ws_probe(unsigned short port, const std::string& target,
                   const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  auto& s = *impl_;
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  if (s.run(
          [&](auto done) {
            beast::get_lowest_layer(s.ws).async_connect(ep, [done](beast::error_code ec) { done(ec); });
          },
          timeout)) {
    return;
  }
  s.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.insert(name, value);
  }));
  s.open = !s.run(
      [&](auto done) {
        s.ws.async_handshake("127.0.0.1:" + std::to_string(port), target,
                             [done](beast::error_code ec) { done(ec); });
      },
      timeout);
}

ws_probe::~ws_probe() {
  if (impl_->open) {
    impl_->run(
        [&](auto done) {
          impl_->ws.async_close(websocket::close_code::normal, [done](beast::error_code ec) { done(ec); });
        },
        std::chrono::seconds(1));
  }
}

bool ws_probe::open() const { return impl_->open; }

bool ws_probe::send(const std::string& text, std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  s.ws.text(true);
  return !s.run(
      [&](auto done) {
        s.ws.async_write(asio::buffer(text), [done](beast::error_code ec, std::size_t) { done(ec); });
      },
      timeout);
}

std::optional<std::string> ws_probe::read(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  beast::flat_buffer buffer;
  auto ec = s.run(
      [&](auto done) { s.ws.async_read(buffer, [done](beast::error_code e, std::size_t) { done(e); }); },
      timeout);
  if (ec == websocket::error::closed) {
    s.close_code = s.ws.reason().code;
    s.close_reason = std::string(s.ws.reason().reason.c_str());
    s.open = false;
    return std::nullopt;
  }
  if (ec) return std::nullopt;
  return beast::buffers_to_string(buffer.data());
}

int ws_probe::close_code() const { return impl_->close_code; }
std::string ws_probe::close_reason() const { return impl_->close_reason; }

}  // namespace meshwatch::twin_test

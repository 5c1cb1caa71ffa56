#include "tests/integration/twin_ws/beast_test_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace meshwatch::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct beast_ws_client::impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  int pings = 0;
  int pongs = 0;

  // Runs the io_context until the started operation completes or the deadline passes; on a
  // deadline the stream is closed so the operation finishes with an error.
  boost::system::error_code finish(boost::system::error_code& result, std::chrono::milliseconds timeout) {
    result = asio::error::would_block;
    io.restart();
    io.run_for(timeout);
    if (result == asio::error::would_block) {
      beast::get_lowest_layer(ws).close();
      io.restart();
      io.run();
      return asio::error::timed_out;
    }
    return result;
  }
};

beast_ws_client::beast_ws_client() : impl_(std::make_unique<impl>()) {
  impl_->ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) {
      ++impl_->pings;
    } else if (kind == websocket::frame_type::pong) {
      ++impl_->pongs;
    }
  });
}

beast_ws_client::~beast_ws_client() = default;

boost::system::error_code beast_ws_client::connect(
    unsigned short port, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::system::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    return ec;
  }
  impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) {
      req.insert(name, value);
    }
  }));
  boost::system::error_code result;
  impl_->ws.async_handshake("127.0.0.1", target, [&](boost::system::error_code e) { result = e; });
  return impl_->finish(result, std::chrono::seconds(5));
}

void beast_ws_client::enable_keep_alive(std::chrono::milliseconds idle_timeout) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = std::chrono::seconds(5);
  opt.idle_timeout = idle_timeout;
  opt.keep_alive_pings = true;
  impl_->ws.set_option(opt);
}

boost::system::error_code beast_ws_client::write(const std::string& text, bool binary) {
  impl_->ws.binary(binary);
  boost::system::error_code result;
  impl_->ws.async_write(asio::buffer(text), [&](boost::system::error_code e, std::size_t) { result = e; });
  return impl_->finish(result, std::chrono::seconds(5));
}

std::optional<std::string> beast_ws_client::read(boost::system::error_code& ec,
                                                 std::chrono::milliseconds timeout) {
  beast::flat_buffer buffer;
  boost::system::error_code result;
  impl_->ws.async_read(buffer, [&](boost::system::error_code e, std::size_t) { result = e; });
  ec = impl_->finish(result, timeout);
  if (ec) {
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer.data());
}

boost::system::error_code beast_ws_client::ping(const std::string& payload) {
  boost::system::error_code result;
  impl_->ws.async_ping(websocket::ping_data(payload.c_str()),
                       [&](boost::system::error_code e) { result = e; });
  return impl_->finish(result, std::chrono::seconds(5));
}

boost::system::error_code beast_ws_client::close(std::uint16_t code, const std::string& reason) {
  boost::system::error_code result;
  websocket::close_reason cr(static_cast<websocket::close_code>(code), beast::string_view(reason));
  impl_->ws.async_close(cr, [&](boost::system::error_code e) { result = e; });
  return impl_->finish(result, std::chrono::seconds(5));
}

std::uint16_t beast_ws_client::close_code() const { return impl_->ws.reason().code; }

std::string beast_ws_client::close_reason() const { return std::string(impl_->ws.reason().reason.c_str()); }

int beast_ws_client::pings_received() const { return impl_->pings; }

int beast_ws_client::pongs_received() const { return impl_->pongs; }

}  // namespace meshwatch::test

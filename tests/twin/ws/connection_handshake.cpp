// The HTTP half of a connection: reading and validating the upgrade request the way mesh-rt's
// `perform_upgrade` does, with its stderr reasons, then the 101 or the 400.
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tests/twin/ws/connection.hpp"
#include "tests/twin/ws/handshake.hpp"

namespace meshwatch::twin::ws_detail {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// mesh-rt sets a 5 s read timeout on the socket before the handshake (per read, not overall).
constexpr auto handshake_read_timeout = std::chrono::seconds(5);

}  // namespace

asio::awaitable<bool> connection::handshake() {
  request_head_reader reader;
  std::array<char, 8192> buffer{};  // BufReader's capacity: what it may over-read is what we may
  asio::steady_timer timer(strand_);
  for (;;) {
    timer.expires_after(handshake_read_timeout);
    auto result =
        co_await (socket_.async_read_some(asio::buffer(buffer), nothrow) || timer.async_wait(nothrow));
    request_head_reader::state state = request_head_reader::state::need_more;
    if (result.index() == 1) {
      // Rust reports a SO_RCVTIMEO expiry as EAGAIN.
      server_->err("[mesh-rt] WS upgrade failed: " + reader.io_error_prefix() +
                   ": Resource temporarily unavailable (os error 11)");
      co_return false;
    }
    const auto [ec, n] = std::get<0>(result);
    if (ec == asio::error::eof) {
      state = reader.feed_eof();
    } else if (ec) {
      server_->err("[mesh-rt] WS upgrade failed: " + reader.io_error_prefix() + ": " + os_error_text(ec));
      co_return false;
    } else {
      state = reader.feed(std::string_view(buffer.data(), n));
    }
    if (state == request_head_reader::state::failed) {
      server_->err("[mesh-rt] WS upgrade failed: " + reader.error());
      co_return false;
    }
    if (state == request_head_reader::state::done) {
      break;
    }
  }
  if (reader.bytes_beyond_head() > 0) {
    // mesh-rt drops these bytes; so do we (frames pipelined with the handshake are lost).
    server_->err("[mesh-rt] warning: " + std::to_string(reader.bytes_beyond_head()) +
                 " bytes buffered beyond HTTP headers during WebSocket upgrade");
  }
  if (const auto reason = validate_upgrade(reader.request())) {
    co_await write_raw(bad_request_response(*reason), nullptr);
    server_->err("[mesh-rt] WS upgrade failed: " + *reason);
    co_return false;
  }
  const std::string* key = find_header_ci(reader.request(), "Sec-WebSocket-Key");
  std::string response = switching_protocols_response(*key);
  const auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(response), nothrow);
  if (ec) {
    server_->err("[mesh-rt] WS upgrade failed: write upgrade response: " + os_error_text(ec));
    co_return false;
  }
  request_for_route_ = reader.request();
  co_return true;
}

asio::awaitable<void> connection::write_raw(std::string bytes, const char* error_prefix) {
  const auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), nothrow);
  if (ec && error_prefix != nullptr) {
    server_->err(std::string(error_prefix) + os_error_text(ec));
  }
}

}  // namespace meshwatch::twin::ws_detail

#include "probes/ws_exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>

#include "probes/transport_failure.hpp"

namespace meshwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

using clock = std::chrono::steady_clock;
using ws_stream = websocket::stream<beast::tcp_stream>;
constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

failure_reason classify(const beast::error_code& ec) {
  if (auto common = common_transport_failure(ec)) return *common;
  if (ec == websocket::error::closed || ec == asio::error::eof || ec == asio::error::connection_reset) {
    return failure_reason::ws_closed;
  }
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return failure_reason::too_large;
  }
  return failure_reason::internal;
}

struct pong_outcome {
  std::optional<failure_reason> failure;
  std::string detail;
  std::chrono::nanoseconds elapsed{};
};

// Pings and waits (under the TCP layer's expiry, the probe's deadline) for the pong echoing the
// payload. Beast shows control frames only to the control callback, and a read completes only
// on a data frame, so the callback starts the close handshake (posted: no stream operation may
// start inside the callback) and the pending read ends with the server's close echo — a clean
// close 1000, as FAILURES.md D8 asks of a probe.
asio::awaitable<pong_outcome> await_pong(std::shared_ptr<ws_stream> stream) {
  static constexpr std::string_view payload = "meshwatch-ping";
  ws_stream& ws = *stream;
  pong_outcome outcome;
  auto pong_at = std::make_shared<std::optional<clock::time_point>>();
  std::weak_ptr<ws_stream> weak = stream;
  ws.control_callback([pong_at, weak](websocket::frame_type kind, beast::string_view data) {
    if (kind != websocket::frame_type::pong || pong_at->has_value() || data != payload) {
      return;  // server pings are answered by Beast itself; stray pongs do not count
    }
    *pong_at = clock::now();
    if (auto s = weak.lock()) {
      asio::post(s->get_executor(), [weak] {
        if (auto alive = weak.lock()) {
          alive->async_close(websocket::close_code::normal, [alive](const beast::error_code&) {});
        }
      });
    }
  });
  websocket::ping_data data;
  data.assign(payload.data(), payload.size());
  const auto pinged = clock::now();
  auto [ping_error] = co_await ws.async_ping(data, as_tuple_awaitable);
  if (ping_error) {
    outcome.failure = classify(ping_error);
    outcome.detail = "ping: " + ping_error.message();
    co_return outcome;
  }
  beast::flat_buffer buffer;
  for (;;) {
    auto [read_error, read] = co_await ws.async_read(buffer, as_tuple_awaitable);
    buffer.consume(buffer.size());  // pushes or replies while waiting are not the question
    if (!read_error) {
      continue;
    }
    if (pong_at->has_value()) {
      break;  // closed after the pong (or the close echo never came: the pong is what counts)
    }
    auto reason = classify(read_error);
    outcome.failure = reason == failure_reason::timeout ? failure_reason::ws_no_pong : reason;
    outcome.detail = "no pong: " + read_error.message();
    co_return outcome;
  }
  outcome.elapsed = **pong_at - pinged;
  co_return outcome;
}

}  // namespace

asio::awaitable<ws_exchange_result> perform_ws_exchange(asio::ip::tcp::endpoint endpoint,
                                                        ws_exchange_request request,
                                                        ws_exchange_limits limits) {
  ws_exchange_result result;
  const auto started = clock::now();
  // Shared: the pong callback below closes the stream through a weak reference to it.
  auto stream = std::make_shared<ws_stream>(co_await asio::this_coro::executor);
  ws_stream& ws = *stream;
  auto fail = [&](failure_reason reason, std::string detail) {
    result.failure = reason;
    result.detail = std::move(detail);
    result.total = clock::now() - started;
  };

  // The websocket stream's own timeouts stay `none`: the TCP layer's single expiry is the
  // probe's deadline and cancels whatever step is pending when it passes.
  beast::get_lowest_layer(ws).expires_at(started + limits.timeout);
  auto [connect_error] = co_await beast::get_lowest_layer(ws).async_connect(endpoint, as_tuple_awaitable);
  auto connected = clock::now();
  result.phases.connect = connected - started;
  if (connect_error) {
    fail(classify(connect_error), "connect: " + connect_error.message());
    co_return result;
  }

  ws.read_message_max(limits.max_message_bytes);
  ws.auto_fragment(false);
  auto headers = request.headers;
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    req.set(http::field::user_agent, "meshwatch");
    for (const auto& [name, value] : headers) {
      req.insert(name, value);
    }
  }));
  websocket::response_type handshake_response;
  auto [handshake_error] = co_await ws.async_handshake(handshake_response, request.host_header,
                                                       request.target, as_tuple_awaitable);
  auto upgraded = clock::now();
  result.phases.handshake = upgraded - connected;
  result.handshake_status = static_cast<int>(handshake_response.result_int());
  if (handshake_error) {
    auto reason = handshake_error == beast::error::timeout ? failure_reason::timeout
                  : result.handshake_status != 0           ? failure_reason::ws_handshake
                                                           : classify(handshake_error);
    fail(reason,
         "handshake: " + handshake_error.message() +
             (result.handshake_status != 0 ? " (HTTP " + std::to_string(result.handshake_status) + ")" : ""));
    co_return result;
  }

  auto mark_close = [&] {
    if (ws.reason().code != websocket::close_code::none) {
      result.close_code = static_cast<int>(ws.reason().code);
      result.close_reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
    }
  };

  auto sent_at = upgraded;
  if (request.send) {
    ws.text(true);
    auto [send_error, sent] = co_await ws.async_write(asio::buffer(*request.send), as_tuple_awaitable);
    sent_at = clock::now();
    if (send_error) {
      mark_close();
      fail(classify(send_error), "send: " + send_error.message());
      co_return result;
    }
  }

  if (request.wait_for_reply || request.wait_for_close) {
    beast::flat_buffer buffer;
    // Waiting for the close means reading (and discarding) until the server's close frame.
    for (;;) {
      auto [read_error, read] = co_await ws.async_read(buffer, as_tuple_awaitable);
      if (!result.reply && !read_error) {
        result.phases.first_reply = clock::now() - sent_at;
      }
      if (read_error) {
        mark_close();
        if (read_error == websocket::error::closed && request.wait_for_close) {
          result.phases.first_reply = clock::now() - sent_at;
          result.total = clock::now() - started;
          co_return result;  // the expected outcome; the caller compares the code
        }
        auto reason = classify(read_error);
        if (reason == failure_reason::timeout && request.wait_for_reply && !result.reply) {
          reason = failure_reason::ws_no_reply;
        }
        fail(reason, "read: " + read_error.message() +
                         (result.close_code ? " (close " + std::to_string(*result.close_code) + ")" : ""));
        co_return result;
      }
      if (!result.reply) {
        result.reply = beast::buffers_to_string(buffer.data());
      }
      buffer.consume(buffer.size());
      if (!request.wait_for_close) {
        break;
      }
    }
  }

  if (request.expect_pong) {
    auto pong = co_await await_pong(stream);
    if (pong.failure) {
      mark_close();
      fail(*pong.failure,
           pong.detail + (result.close_code ? " (close " + std::to_string(*result.close_code) + ")" : ""));
      co_return result;
    }
    result.phases.pong = pong.elapsed;
    mark_close();  // the server's echo of our close 1000
    result.total = clock::now() - started;
    co_return result;
  }

  // A polite close, still inside the deadline.
  auto [close_error] = co_await ws.async_close(websocket::close_code::normal, as_tuple_awaitable);
  (void)close_error;  // the probe's outcome is already decided
  result.total = clock::now() - started;
  co_return result;
}

}  // namespace meshwatch

#include "probes/http_exchange.hpp"

#include "probes/transport_failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace meshwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

using clock = std::chrono::steady_clock;
constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// A step's error → the closed failure reason. The stream's expiry shows up as `timeout`.
failure_reason classify(const beast::error_code& ec) {
  if (auto common = common_transport_failure(ec)) return *common;
  if (ec == http::error::body_limit || ec == http::error::header_limit ||
      ec == http::error::buffer_overflow) {
    return failure_reason::too_large;
  }
  // The peer went away mid-exchange: Mesher drops the connection of a panicking handler and a
  // dying process resets its sockets. Not meshwatch's fault, so never `internal`.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::connection_aborted) {
    return failure_reason::connection_closed;
  }
  // Anything else Beast's parser rejects is a response that is not HTTP.
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return failure_reason::malformed_response;
  }
  return failure_reason::internal;
}

}  // namespace

asio::awaitable<http_exchange_result> perform_http_exchange(asio::ip::tcp::endpoint endpoint,
                                                            http_exchange_request request,
                                                            http_exchange_limits limits) {
  http_exchange_result result;
  const auto started = clock::now();
  const auto deadline = started + limits.timeout;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  auto fail = [&](std::string_view step, const beast::error_code& ec) {
    result.failure = classify(ec);
    result.detail = std::string(step) + ": " + ec.message();
    result.total = clock::now() - started;
  };

  // Every step gets only what is left of the overall deadline.
  stream.expires_at(deadline);
  auto [connect_error] = co_await stream.async_connect(endpoint, as_tuple_awaitable);
  auto connected = clock::now();
  result.phases.connect = connected - started;
  if (connect_error) {
    fail("connect", connect_error);
    co_return result;
  }

  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, request.host_header);
  req.set(http::field::user_agent, "meshwatch");
  for (const auto& [name, value] : request.headers) {
    req.insert(name, value);  // a custom name keeps its exact spelling
  }
  if (request.body) {
    req.body() = *request.body;
    req.prepare_payload();
  }
  auto [write_error, written] = co_await http::async_write(stream, req, as_tuple_awaitable);
  auto wrote = clock::now();
  result.phases.write = wrote - connected;
  if (write_error) {
    fail("write", write_error);
    co_return result;
  }

  beast::flat_buffer buffer(limits.max_header_bytes + 4096);
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  auto [header_error, header_bytes] =
      co_await http::async_read_header(stream, buffer, parser, as_tuple_awaitable);
  auto headed = clock::now();
  result.phases.first_byte = headed - wrote;
  if (header_error) {
    fail("read header", header_error);
    co_return result;
  }
  auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, as_tuple_awaitable);
  auto finished = clock::now();
  result.phases.transfer = finished - headed;
  if (body_error) {
    fail("read body", body_error);
    co_return result;
  }

  auto& res = parser.get();
  result.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  result.body = std::move(res.body());
  result.total = finished - started;
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace meshwatch

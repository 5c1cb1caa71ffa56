#pragma once
// One HTTP/1.1 request/response exchange as a probe performs it: a fresh connection (Mesher
// serves one request per connection), every phase timed, one overall deadline that no step
// can outlive, and a hard cap on the response body. Transport outcomes are values, never
// exceptions. Beast stays in the .cpp.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probes/failure_reason.hpp"

namespace meshwatch {

struct http_exchange_request {
  std::string method = "GET";
  std::string target = "/";  // path and query, already rendered
  std::string host_header;   // e.g. 127.0.0.1:8080
  /** Sent byte for byte: Mesher matches `x-sentry-auth` / `authorization` case-sensitively. */
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
};

struct http_exchange_limits {
  std::chrono::milliseconds timeout{5000};  // the whole exchange
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;
};

struct http_phases {
  std::chrono::nanoseconds connect{};
  std::chrono::nanoseconds write{};
  std::chrono::nanoseconds first_byte{};  // request written → response header complete
  std::chrono::nanoseconds transfer{};    // header complete → body complete
};

struct http_exchange_result {
  /** Set when no complete response was obtained (connect_refused, timeout, too_large, internal). */
  std::optional<failure_reason> failure;
  std::string detail;  // human-readable, for logs and /status
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  http_phases phases;
  std::chrono::nanoseconds total{};
};

/** Performs the exchange against `endpoint`; never throws for network outcomes. */
boost::asio::awaitable<http_exchange_result> perform_http_exchange(boost::asio::ip::tcp::endpoint endpoint,
                                                                   http_exchange_request request,
                                                                   http_exchange_limits limits);

}  // namespace meshwatch

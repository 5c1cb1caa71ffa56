#pragma once
// The admin HTTP server (DESIGN.md §10) on the daemon's event loop: a small route table
// (/metrics, /healthz, /status, /, POST /-/reload), an optional token on every route (Bearer, or
// the Basic password a browser sends),
// and hard bounds on request size, time and concurrent connections. Beast stays in the .cpp.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

struct admin_response {
  admin_response() = default;
  admin_response(int status_code, std::string type, std::string text,
                 std::vector<std::pair<std::string, std::string>> extra_headers = {})
      : status(status_code),
        content_type(std::move(type)),
        body(std::move(text)),
        headers(std::move(extra_headers)) {}

  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  /** Extra response headers (e.g. Allow, Content-Security-Policy). */
  std::vector<std::pair<std::string, std::string>> headers;
};

using admin_handler = std::function<admin_response()>;

/** GET routes also answer HEAD; POST routes ignore the (bounded) request body. */
enum class admin_method { get, post };

/**
 * The route table and the policy in front of it, without sockets: the token (every path,
 * unknown ones included, so a scan learns nothing), 404, 405 with Allow, the handler (an
 * exception becomes a 500). Unit-testable; the server calls it once per request.
 */
class admin_routes {
 public:
  explicit admin_routes(std::optional<std::string> bearer_token = {});

  /** Registers a handler for an exact path (query strings are ignored); one method per path. */
  void add(admin_method method, std::string path, admin_handler h);

  /** `method` is the request's verb ("GET", "POST", …), `authorization` its header or empty. */
  admin_response dispatch(std::string_view method, std::string_view target,
                          std::string_view authorization) const;

 private:
  struct route {
    admin_method method;
    admin_handler handler;
  };
  std::optional<std::string> bearer_token_;
  std::map<std::string, route, std::less<>> routes_;
};

struct admin_server_options {
  std::string host = "127.0.0.1";
  unsigned short port = 9847;
  std::optional<std::string> bearer_token;
  std::size_t max_connections = 64;
  std::size_t max_requests_per_connection = 100;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  /** Requests a second over all connections (Prometheus and a status page need a few), and burst. */
  double max_requests_per_second = 100;
  double request_burst = 200;
  std::chrono::milliseconds request_timeout{10000};  // to read one request (idle keep-alive included)
  std::chrono::milliseconds write_timeout{10000};
};

class admin_server {
 public:
  using handler = admin_handler;

  admin_server(boost::asio::io_context& io, admin_server_options options);
  ~admin_server();
  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

  /** Registers a GET (and HEAD) handler for an exact path (query strings are ignored). */
  void add_route(std::string path, handler h);
  /** Registers a POST handler for an exact path; the request body is read (bounded) and ignored. */
  void add_post_route(std::string path, handler h);

  /** Binds and listens; returns the bound port (useful with port 0). Throws std::system_error. */
  unsigned short listen();
  void start();
  /** Closes the listener and every open connection. */
  void stop();

  struct impl;  // public name so the .cpp's coroutines can take it; defined there only

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace meshwatch

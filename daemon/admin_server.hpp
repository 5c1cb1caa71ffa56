#pragma once
// The admin HTTP server (DESIGN.md §10) on the daemon's event loop: a small route table
// (/metrics, /healthz, later /status and /), GET/HEAD only, optional bearer token, and hard
// bounds on request size, time and concurrent connections. Beast stays in the .cpp.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

struct admin_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct admin_server_options {
  std::string host = "127.0.0.1";
  unsigned short port = 9847;
  std::optional<std::string> bearer_token;
  std::size_t max_connections = 64;
  std::size_t max_requests_per_connection = 100;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{10000};  // to read one request (idle keep-alive included)
  std::chrono::milliseconds write_timeout{10000};
};

class admin_server {
 public:
  using handler = std::function<admin_response()>;

  admin_server(boost::asio::io_context& io, admin_server_options options);
  ~admin_server();
  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

  /** Registers a GET handler for an exact path (query strings are ignored). */
  void add_route(std::string path, handler h);

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

#pragma once
// Accept loop + one OS thread per connection, like Mesher's blocking actor-per-connection
// model (a hung handler holds only its own thread). Concurrency is capped: when all slots are
// busy new connections wait in the listen backlog (connect succeeds, no answer yet), as in
// Mesher when every worker is blocked.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "tests/twin/http_wire.hpp"

namespace meshwatch::twin {

/** One accepted connection; the handler answers at most once. */
class http_connection {
 public:
  explicit http_connection(int fd) : fd_(fd) {}
  void respond(const http_response& response);
  /** True once the peer has closed or reset (for handlers that hang on purpose). */
  bool peer_gone() const;
  int fd() const { return fd_; }

 private:
  int fd_;
  bool answered_ = false;
};

struct http_server_config {
  std::chrono::seconds read_timeout{30};
  std::size_t max_connections = 512;
  std::function<void(http_connection&, http_request&)> handler;
  /** Called for a request that never reached the handler; may be empty. */
  std::function<void(const parse_error&)> on_parse_error;
  /** Called when accept() fails; may be empty. */
  std::function<void(const std::string&)> on_accept_error;
};

class http_server {
 public:
  explicit http_server(http_server_config config);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /** Starts the accept thread on an already listening socket (takes ownership). */
  void serve(int listen_fd);

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch::twin

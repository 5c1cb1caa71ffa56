#pragma once
// A loopback HTTP server on port 0 that proves requests overlap: it holds every request until
// `gate` of them are open at the same time, then answers each as told. A client that sends
// them one after another never opens the gate and sees its first request hang.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace meshwatch::test {

struct gate_reply {
  std::string bytes;                   // the whole response
  std::chrono::milliseconds delay{0};  // after the gate opens, before answering
  bool hang = false;                   // never answer (hold the connection)
};

class gate_server {
 public:
  /** `reply_for(i)` answers the i-th request to arrive (from 0). */
  gate_server(std::size_t gate, std::function<gate_reply(std::size_t)> reply_for,
              std::chrono::milliseconds hold_limit = std::chrono::seconds{3});
  ~gate_server();
  gate_server(const gate_server&) = delete;
  gate_server& operator=(const gate_server&) = delete;

  unsigned short port() const { return port_; }
  /** The most requests that were open (head received, not yet answered) at one time. */
  std::size_t max_open() const;
  std::size_t requests() const;

 private:
  void accept_loop();
  void handle(int fd);

  std::size_t gate_;
  std::function<gate_reply(std::size_t)> reply_for_;
  std::chrono::milliseconds hold_limit_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::size_t arrived_ = 0;
  std::size_t open_ = 0;
  std::size_t max_open_ = 0;
  std::vector<std::thread> handlers_;  // touched by the accept thread only, until it is joined
  std::thread acceptor_;
};

}  // namespace meshwatch::test

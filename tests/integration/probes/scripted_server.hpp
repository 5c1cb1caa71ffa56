#pragma once
// A loopback TCP server on port 0 that answers every connection with scripted bytes, for
// probing transport edge cases (slow, hanging, garbage, oversized) without a real Mesher.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace meshwatch::test {

struct scripted_reply {
  std::string bytes;                   // written after the request head arrives
  std::chrono::milliseconds delay{0};  // before writing
  bool hang = false;                   // never answer (hold the connection)
  std::size_t repeat_body_bytes = 0;   // then stream this many 'x' bytes
};

class scripted_server {
 public:
  explicit scripted_server(scripted_reply reply);
  ~scripted_server();
  unsigned short port() const { return port_; }
  int connections() const { return connections_.load(); }
  /** The request bytes of the last connection (head, and whatever body arrived with it). */
  std::string last_request() const;

 private:
  void serve();
  scripted_reply reply_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::string last_request_;
  std::thread thread_;
};

}  // namespace meshwatch::test

#pragma once
// Measures how late the event loop runs a periodic timer. A stalled meshwatch must not blame
// Mesher: probes read `stalled()` to mark results inconclusive, /healthz reports it.
#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

class loop_lag_monitor {
 public:
  using clock = std::chrono::steady_clock;

  loop_lag_monitor(boost::asio::io_context& io, std::chrono::milliseconds period,
                   std::chrono::milliseconds stall_threshold, std::function<void(double)> on_lag);
  ~loop_lag_monitor();
  loop_lag_monitor(const loop_lag_monitor&) = delete;
  loop_lag_monitor& operator=(const loop_lag_monitor&) = delete;

  void start();
  void stop();

  double last_lag_seconds() const;
  /** Last lag over the threshold, or no tick for longer than period + threshold. */
  bool stalled(clock::time_point now = clock::now()) const;

  struct state;  // public name so the .cpp's coroutine can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

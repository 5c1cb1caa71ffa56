#pragma once
// Feeds systemd's watchdog (WatchdogSec=) from the event loop itself: if the loop stalls, the
// pings stop and systemd restarts meshwatch. A no-op when the watchdog is not enabled.
#include <chrono>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

class systemd_watchdog {
 public:
  explicit systemd_watchdog(boost::asio::io_context& io);
  ~systemd_watchdog();
  systemd_watchdog(const systemd_watchdog&) = delete;
  systemd_watchdog& operator=(const systemd_watchdog&) = delete;

  /** Starts pinging at half the interval systemd asked for; returns that interval (0: disabled). */
  std::chrono::microseconds start();
  void stop();

  struct state;  // public name so the .cpp's coroutine can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

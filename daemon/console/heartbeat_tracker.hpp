#pragma once
// Last sighting of each Mesher heartbeat line (RUNTIME.md §4, FAILURES.md D4). Pure: every call
// takes the time, so tests drive it with any clock. Timer actors sleep first, so before the
// first line the age counts from the (re)start of the process.
#include <array>
#include <chrono>
#include <optional>

#include "daemon/console/console_event.hpp"

namespace meshwatch {

enum class heartbeat_state : std::uint8_t { ok, warn, alert };

class heartbeat_tracker {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  explicit heartbeat_tracker(time_point started);

  /** The nominal period of each line: 5 s, 10 s, 30 s. */
  static duration period(heartbeat h);
  /** D4 thresholds: warn > 20 s / alert > 45 s for the 5 s and 10 s lines; alert > 120 s for 30 s. */
  static duration warn_after(heartbeat h);
  static duration alert_after(heartbeat h);

  /** Mesher (re)started: ages restart from here, earlier sightings are forgotten. */
  void reset(time_point started);
  void seen(heartbeat h, time_point at);

  std::optional<time_point> last_seen(heartbeat h) const;
  /** Time since the last line, or since the (re)start when none was seen yet; never negative. */
  duration age(heartbeat h, time_point now) const;
  heartbeat_state state(heartbeat h, time_point now) const;

 private:
  time_point started_;
  std::array<std::optional<time_point>, all_heartbeats.size()> last_{};
};

}  // namespace meshwatch

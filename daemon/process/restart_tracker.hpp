#pragma once
// Restart and crash-loop bookkeeping (pure; time is injected). A restart is a start of a
// process with a different identity after a previous one was seen; a crash loop is
// `threshold` restarts within `window`, and ends once fewer remain inside the window. A restart
// after an external stop (SIGTERM/SIGINT: a deploy, `systemctl restart`) is counted as a restart
// but is no step towards a crash loop: ten deploys in an afternoon are not a crashing Mesher.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "daemon/process/process_identity.hpp"

namespace meshwatch {

class restart_tracker {
 public:
  using clock = std::chrono::steady_clock;

  struct update {
    bool restarted = false;
    bool crash_loop_started = false;
    bool crash_loop_ended = false;
  };

  /** `threshold` < 1 disables crash-loop detection; history keeps at most `max_history`. */
  restart_tracker(int threshold, std::chrono::milliseconds window, std::size_t max_history = 256);

  /** A process was found running. The same identity again is not a (re)start. */
  update on_start(const process_identity& id, clock::time_point now);
  /**
   * The process `id` exited. With `external_stop`, the next start is a restart that does not
   * count towards a crash loop (it still counts in restarts_total).
   */
  void on_exit(const process_identity& id, bool external_stop);
  /** Lets a crash loop end when its restarts age out of the window. */
  update tick(clock::time_point now);

  bool crash_looping() const { return crash_looping_; }
  std::uint64_t restarts_total() const { return restarts_total_; }
  std::size_t restarts_in_window(clock::time_point now);

 private:
  void expire(clock::time_point now);

  int threshold_;
  std::chrono::milliseconds window_;
  std::size_t max_history_;
  std::optional<process_identity> last_;
  std::deque<clock::time_point> restarts_;  // inside the window only, bounded
  std::uint64_t restarts_total_ = 0;
  bool crash_looping_ = false;
  bool last_exit_was_stop_ = false;  // the process in last_ ended by an external stop
};

}  // namespace meshwatch

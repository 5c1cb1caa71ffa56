#pragma once
// Readiness after each (re)start (FAILURES.md D3, RUNTIME.md §3). Pure; time is injected.
// "starting" until both the stderr line `[mesh-rt] HTTP server listening on …` was seen and
// a fast-path probe passed — in either order. `Foundation ready` is printed before any
// socket exists, so it is not a signal. Probe failures inside the start grace are tagged
// "starting" by the scheduler instead of counted (it asks `in_grace`).
#include <chrono>
#include <optional>
#include <string_view>

namespace meshwatch {

enum class readiness { down, starting, ready };
std::string_view to_string(readiness r);

class readiness_gate {
 public:
  using clock = std::chrono::steady_clock;

  explicit readiness_gate(std::chrono::milliseconds start_grace);

  /** A new process instance: everything resets. */
  void on_start(clock::time_point now);
  /** The process is gone. Returns true when it was ready (a not_ready transition). */
  bool on_exit();
  /**
   * After on_exit: a new process is expected (a service manager restarts Mesher, the watcher
   * re-locates it). Until it starts — for at most the start grace — probe failures belong to the
   * restart, not to the endpoints: the gap of a normal restart is part of the restart.
   */
  void expect_restart(clock::time_point exited_at);
  /** Each returns true when this call made the process ready. */
  bool on_listening_line();
  bool on_fast_path_probe(bool passed);

  /**
   * True once, when the grace has elapsed without readiness (D3 "readiness timeout", e.g.
   * F-33: alive but the HTTP bind failed). Call it periodically.
   */
  bool readiness_timed_out(clock::time_point now);

  readiness state() const { return state_; }
  /** Starting within the grace, or down within the grace of an expected restart. */
  bool in_grace(clock::time_point now) const;
  std::optional<clock::time_point> started_at() const { return started_at_; }

 private:
  bool maybe_ready();

  std::chrono::milliseconds grace_;
  readiness state_ = readiness::down;
  std::optional<clock::time_point> started_at_;
  std::optional<clock::time_point> restart_expected_since_;
  bool line_seen_ = false;
  bool probe_passed_ = false;
  bool timeout_reported_ = false;
};

}  // namespace meshwatch

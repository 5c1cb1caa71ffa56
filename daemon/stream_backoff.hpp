#pragma once
// How long the stream subscriber waits before its next connection attempt: doubling from an
// initial delay up to a cap, jittered so that several meshwatch instances (or targets) do not
// reconnect in lockstep after Mesher restarts. Pure: the caller supplies the random draw.
#include <chrono>

namespace meshwatch {

struct backoff_policy {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds max{30000};
  /** Each delay is scaled by a factor in [1 - jitter, 1 + jitter] (then capped); 0..1. */
  double jitter = 0.2;
};

class stream_backoff {
 public:
  explicit stream_backoff(backoff_policy policy);

  /**
   * The delay before the next attempt, and one more failure counted. `unit` is a uniform draw
   * in [0, 1) (clamped); 0.5 gives the unjittered delay.
   */
  std::chrono::milliseconds next(double unit);
  /** After a connection that held: the next failure starts from `initial` again. */
  void reset() { failures_ = 0; }
  /** Consecutive failures since the last reset. */
  int failures() const { return failures_; }

 private:
  backoff_policy policy_;
  int failures_ = 0;
};

}  // namespace meshwatch

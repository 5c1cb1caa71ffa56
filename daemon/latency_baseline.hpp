#pragma once
// Learned per-probe latency: is this endpoint slower than it usually is? (DESIGN §8)

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/probe_config.hpp"

namespace meshwatch {

struct baseline_policy {
  /** Samples the baseline remembers (720 × 15 s = 3 h); older ones are forgotten. */
  std::size_t baseline_samples = 720;
  /** The current window: the most recent samples, kept out of the baseline until they age. */
  std::size_t current_samples = 20;
  /** No verdict before the baseline holds this many samples (and the current window is full). */
  std::size_t min_baseline_samples = 60;
  /** Regressed when current median / baseline median exceeds this… */
  double factor = 2.0;
  /** …and the medians differ by more than this, so 1 ms → 3 ms on loopback is not a regression. */
  std::chrono::microseconds min_increase = std::chrono::milliseconds{20};
  /** Consecutive evaluations over (or back under) the factor before the state flips. */
  int consecutive = 3;

  /** The configured knobs (`regression:`); the window sizes keep their built-in values. */
  static baseline_policy from(const regression_config& r) {
    baseline_policy p;
    p.factor = r.factor;
    p.min_increase = r.min_increase;
    p.consecutive = r.consecutive;
    return p;
  }
};

/** What the baseline says after a sample. */
struct baseline_verdict {
  bool evaluated = false;  // enough samples for a verdict
  double ratio = 0;        // current median / baseline median (the exported gauge); 0 until evaluated
  bool regressed = false;
  bool changed = false;  // regressed flipped on this sample: log it, once
};

/**
 * A robust baseline: medians, not means, so one timeout-length outlier moves nothing. Memory
 * is bounded by baseline_samples + current_samples. Feed it the latency of passing runs only;
 * failures (timeouts especially) would teach it that slowness is normal.
 *
 * A shift that persists is learned: once it fills about half the baseline window it is the
 * new normal and the regression clears. That is deliberate — the event and the gauge history
 * keep the record, and a monitor that stays red forever gets ignored.
 */
class latency_baseline {
 public:
  explicit latency_baseline(baseline_policy policy = {});

  baseline_verdict observe(std::chrono::microseconds latency);

  bool regressed() const noexcept { return regressed_; }
  std::size_t baseline_size() const noexcept { return baseline_.size(); }
  std::size_t current_size() const noexcept { return current_.size(); }
  std::optional<std::chrono::microseconds> baseline_median() const;
  std::optional<std::chrono::microseconds> baseline_p95() const;
  std::optional<std::chrono::microseconds> current_median() const;

 private:
  // A fixed-capacity ring; the oldest sample is overwritten.
  class ring {
   public:
    explicit ring(std::size_t capacity) : capacity_(capacity) { samples_.reserve(capacity); }
    /** Adds `v`; returns the sample it pushed out, if the ring was full. */
    std::optional<std::int64_t> push(std::int64_t v);
    std::size_t size() const noexcept { return samples_.size(); }
    bool full() const noexcept { return samples_.size() == capacity_; }
    const std::vector<std::int64_t>& values() const noexcept { return samples_; }

   private:
    std::size_t capacity_;
    std::size_t next_ = 0;
    std::vector<std::int64_t> samples_;
  };

  baseline_policy policy_;
  ring baseline_;
  ring current_;
  bool regressed_ = false;
  int streak_ = 0;  // consecutive evaluations disagreeing with the current state
};

}  // namespace meshwatch

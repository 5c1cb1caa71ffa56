#include "daemon/latency_baseline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace meshwatch {
namespace {

// Nearest-rank quantile (q in (0, 1]); median of an even count is the mean of the middle two.
std::optional<std::chrono::microseconds> quantile(std::vector<std::int64_t> values, double q) {
  if (values.empty()) {
    return std::nullopt;
  }
  const std::size_t n = values.size();
  if (q == 0.5 && n % 2 == 0) {
    std::nth_element(values.begin(), values.begin() + n / 2, values.end());
    const std::int64_t upper = values[n / 2];
    const std::int64_t lower = *std::max_element(values.begin(), values.begin() + n / 2);
    return std::chrono::microseconds{lower + (upper - lower) / 2};
  }
  // The epsilon keeps 0.95 × 20 at rank 19 despite binary rounding.
  std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n) - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, n);
  std::nth_element(values.begin(), values.begin() + (rank - 1), values.end());
  return std::chrono::microseconds{values[rank - 1]};
}

}  // namespace

std::optional<std::int64_t> latency_baseline::ring::push(std::int64_t v) {
  if (capacity_ == 0) {
    return v;
  }
  if (samples_.size() < capacity_) {
    samples_.push_back(v);
    return std::nullopt;
  }
  // samples_ is full: next_ is the oldest slot.
  const std::int64_t out = samples_[next_];
  samples_[next_] = v;
  next_ = (next_ + 1) % capacity_;
  return out;
}

latency_baseline::latency_baseline(baseline_policy policy)
    : policy_(policy),
      baseline_(std::max<std::size_t>(policy.baseline_samples, 1)),
      current_(std::max<std::size_t>(policy.current_samples, 1)) {
  policy_.consecutive = std::max(policy_.consecutive, 1);
}

std::optional<std::chrono::microseconds> latency_baseline::baseline_median() const {
  return quantile(baseline_.values(), 0.5);
}
std::optional<std::chrono::microseconds> latency_baseline::baseline_p95() const {
  return quantile(baseline_.values(), 0.95);
}
std::optional<std::chrono::microseconds> latency_baseline::current_median() const {
  return quantile(current_.values(), 0.5);
}

baseline_verdict latency_baseline::observe(std::chrono::microseconds latency) {
  // A sample moves into the baseline only when it leaves the current window, so a fresh
  // shift is compared against history it has not yet contaminated.
  if (std::optional<std::int64_t> aged = current_.push(std::max<std::int64_t>(latency.count(), 0))) {
    baseline_.push(*aged);
  }
  baseline_verdict v;
  v.regressed = regressed_;
  if (!current_.full() || baseline_.size() < std::max<std::size_t>(policy_.min_baseline_samples, 1)) {
    return v;
  }
  const std::chrono::microseconds base = *baseline_median();
  const std::chrono::microseconds now = *current_median();
  v.evaluated = true;
  // A zero baseline (sub-microsecond loopback) would divide by zero; 1 µs is as good as zero.
  v.ratio = static_cast<double>(now.count()) / static_cast<double>(std::max<std::int64_t>(base.count(), 1));
  const bool over = v.ratio > policy_.factor && now - base > policy_.min_increase;
  streak_ = over != regressed_ ? streak_ + 1 : 0;
  if (streak_ >= policy_.consecutive) {
    regressed_ = over;
    streak_ = 0;
    v.changed = true;
  }
  v.regressed = regressed_;
  return v;
}

}  // namespace meshwatch

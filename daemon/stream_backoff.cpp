#include "daemon/stream_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace meshwatch {

stream_backoff::stream_backoff(backoff_policy policy) : policy_(policy) {
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  policy_.initial = std::max(policy_.initial, std::chrono::milliseconds(1));
  policy_.max = std::max(policy_.max, policy_.initial);
}

std::chrono::milliseconds stream_backoff::next(double unit) {
  unit = std::clamp(unit, 0.0, 1.0);
  // Doubling stops at the cap; the exponent is bounded so the double never overflows.
  const double cap = static_cast<double>(policy_.max.count());
  const double base =
      std::min(cap, static_cast<double>(policy_.initial.count()) * std::exp2(std::min(failures_, 62)));
  const double factor = 1.0 - policy_.jitter + 2.0 * policy_.jitter * unit;
  const double delay = std::clamp(base * factor, 1.0, cap);
  ++failures_;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(delay)));
}

}  // namespace meshwatch

#include "tests/twin/rate_limiter.hpp"

namespace meshwatch::twin {

rate_limiter::rate_limiter(int max_per_window, std::optional<std::chrono::milliseconds> window)
    : max_(max_per_window), window_(window) {}

bool rate_limiter::check(const std::string& project_id) {
  std::lock_guard lock(mutex_);
  if (window_) {
    auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= *window_) {
      counts_.clear();
      window_start_ = now;
    }
  }
  int& count = counts_[project_id];
  if (count >= max_) return false;
  ++count;
  return true;
}

}  // namespace meshwatch::twin

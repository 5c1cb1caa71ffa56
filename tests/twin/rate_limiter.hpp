#pragma once
// Per-project fixed window (API.md §5.4). Snapshot mode has no window: Mesher never starts the
// reset ticker, so 1000 allowed checks per project last for the process lifetime (F-13).
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace meshwatch::twin {

class rate_limiter {
 public:
  rate_limiter(int max_per_window, std::optional<std::chrono::milliseconds> window);
  /** True (and counted) when allowed. */
  bool check(const std::string& project_id);

 private:
  int max_;
  std::optional<std::chrono::milliseconds> window_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point window_start_ = std::chrono::steady_clock::now();
  std::map<std::string, int> counts_;
};

}  // namespace meshwatch::twin

#pragma once
// The console watcher's metrics (DESIGN.md §9, "console"), one set per target on a shared
// registry. Every label value comes from a closed enum or the config's user pattern names (at most
// 64 per target, checked at load time), and every series exists from the start.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/console/console_event.hpp"
#include "daemon/console/console_line.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
}  // namespace prometheus

namespace meshwatch {

class console_metrics {
 public:
  /** `user_kinds`: the user pattern names, counted as kinds of their own. */
  console_metrics(prometheus::Registry& registry, const std::string& target,
                  const std::vector<std::string>& user_kinds = {});

  void line(console_stream stream);
  void event(console_event_kind kind);
  /** A match of the user pattern `name` (one of `user_kinds`; others are ignored). */
  void user_event(std::string_view name);
  void panic(panic_kind kind, std::chrono::system_clock::time_point at);
  void truncated_line();
  void rotation();
  /** Bytes a slow consumer had to drop instead of blocking the writer (F-38). */
  void dropped_bytes(std::uint64_t n);
  void heartbeat_age(heartbeat h, double seconds);

 private:
  std::array<prometheus::Counter*, 3> lines_{};
  std::array<prometheus::Counter*, console_event_kind_count> events_{};
  std::map<std::string, prometheus::Counter*, std::less<>> user_events_;
  std::array<prometheus::Counter*, all_panic_kinds.size()> panics_{};
  prometheus::Gauge* last_panic_ = nullptr;
  prometheus::Counter* truncated_ = nullptr;
  prometheus::Counter* rotations_ = nullptr;
  prometheus::Counter* dropped_ = nullptr;
  std::array<prometheus::Gauge*, all_heartbeats.size()> heartbeat_age_{};
};

}  // namespace meshwatch

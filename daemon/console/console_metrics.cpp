#include "daemon/console/console_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace meshwatch {

console_metrics::console_metrics(prometheus::Registry& registry, const std::string& target,
                                 const std::vector<std::string>& user_kinds) {
  // Families are merged by name in the registry, so several targets share them.
  auto& lines = prometheus::BuildCounter()
                    .Name("meshwatch_console_lines_total")
                    .Help("Console lines received from the target, by stream")
                    .Register(registry);
  for (auto s : {console_stream::out, console_stream::err, console_stream::merged}) {
    lines_[static_cast<std::size_t>(s)] =
        &lines.Add({{"target", target}, {"stream", std::string(to_string(s))}});
  }
  auto& events = prometheus::BuildCounter()
                     .Name("meshwatch_console_events_total")
                     .Help("Classified console events, by kind")
                     .Register(registry);
  for (std::size_t i = 0; i < console_event_kind_count; ++i) {
    auto kind = static_cast<console_event_kind>(i);
    // A user pattern's matches count under its own name instead: user_match would stay 0.
    if (kind != console_event_kind::user_match) {
      events_[i] = &events.Add({{"target", target}, {"kind", std::string(to_string(kind))}});
    }
  }
  for (const auto& name : user_kinds) {
    user_events_.emplace(name, &events.Add({{"target", target}, {"kind", name}}));
  }
  auto& panics = prometheus::BuildCounter()
                     .Name("meshwatch_console_panics_total")
                     .Help("Panic blocks (and allocation-failure aborts) seen on the console, by origin")
                     .Register(registry);
  for (auto k : all_panic_kinds) {
    panics_[static_cast<std::size_t>(k)] =
        &panics.Add({{"target", target}, {"kind", std::string(to_string(k))}});
  }
  last_panic_ = &prometheus::BuildGauge()
                     .Name("meshwatch_console_last_panic_timestamp_seconds")
                     .Help("Unix time the last panic block ended; 0 if none was seen")
                     .Register(registry)
                     .Add({{"target", target}});
  truncated_ = &prometheus::BuildCounter()
                    .Name("meshwatch_console_lines_truncated_total")
                    .Help("Console lines longer than the limit, cut to it")
                    .Register(registry)
                    .Add({{"target", target}});
  rotations_ = &prometheus::BuildCounter()
                    .Name("meshwatch_console_rotations_total")
                    .Help("Console file rotations seen: rename, copytruncate, delete and recreate")
                    .Register(registry)
                    .Add({{"target", target}});
  dropped_ =
      &prometheus::BuildCounter()
           .Name("meshwatch_console_dropped_bytes_total")
           .Help("Console bytes dropped because processing fell behind (the pipe is never left unread)")
           .Register(registry)
           .Add({{"target", target}});
  auto& ages = prometheus::BuildGauge()
                   .Name("meshwatch_heartbeat_age_seconds")
                   .Help("Seconds since the last heartbeat line (since the target's start if none yet)")
                   .Register(registry);
  for (auto h : all_heartbeats) {
    heartbeat_age_[static_cast<std::size_t>(h)] =
        &ages.Add({{"target", target}, {"heartbeat", std::string(to_string(h))}});
  }
}

void console_metrics::line(console_stream stream) { lines_[static_cast<std::size_t>(stream)]->Increment(); }

void console_metrics::event(console_event_kind kind) {
  if (auto* counter = events_[static_cast<std::size_t>(kind)]; counter != nullptr) {
    counter->Increment();
  }
}

void console_metrics::user_event(std::string_view name) {
  if (auto it = user_events_.find(name); it != user_events_.end()) {
    it->second->Increment();
  }
}

void console_metrics::panic(panic_kind kind, std::chrono::system_clock::time_point at) {
  panics_[static_cast<std::size_t>(kind)]->Increment();
  last_panic_->Set(std::chrono::duration<double>(at.time_since_epoch()).count());
}

void console_metrics::truncated_line() { truncated_->Increment(); }

void console_metrics::rotation() { rotations_->Increment(); }

void console_metrics::dropped_bytes(std::uint64_t n) { dropped_->Increment(static_cast<double>(n)); }

void console_metrics::heartbeat_age(heartbeat h, double seconds) {
  heartbeat_age_[static_cast<std::size_t>(h)]->Set(seconds);
}

}  // namespace meshwatch

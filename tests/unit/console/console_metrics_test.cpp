#include <gtest/gtest.h>

#include <prometheus/registry.h>

#include "daemon/console/console_metrics.hpp"

namespace meshwatch {
namespace {

std::size_t series(const prometheus::Registry& r, const std::string& name, const std::string& target) {
  std::size_t n = 0;
  for (const auto& family : r.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& m : family.metric) {
      for (const auto& l : m.label) {
        if (l.name == "target" && l.value == target) {
          ++n;
        }
      }
    }
  }
  return n;
}

double value(const prometheus::Registry& r, const std::string& name, const std::string& target,
             const std::string& label = "", const std::string& label_value = "") {
  for (const auto& family : r.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& m : family.metric) {
      bool t = false;
      bool l = label.empty();
      for (const auto& p : m.label) {
        t = t || (p.name == "target" && p.value == target);
        l = l || (p.name == label && p.value == label_value);
      }
      if (t && l) {
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return -1;
}

TEST(console_metrics, every_series_exists_from_the_start_for_each_target) {
  prometheus::Registry registry;
  console_metrics a(registry, "a");
  console_metrics b(registry, "b");
  for (const auto* t : {"a", "b"}) {
    EXPECT_EQ(series(registry, "meshwatch_console_lines_total", t), 3u);
    // Every built-in kind but user_match: user patterns count under their own names.
    EXPECT_EQ(series(registry, "meshwatch_console_events_total", t), console_event_kind_count - 1);
    EXPECT_EQ(value(registry, "meshwatch_console_events_total", t, "kind", "user_match"), -1);
    EXPECT_EQ(series(registry, "meshwatch_console_panics_total", t), all_panic_kinds.size());
    EXPECT_EQ(series(registry, "meshwatch_console_last_panic_timestamp_seconds", t), 1u);
    EXPECT_EQ(series(registry, "meshwatch_console_lines_truncated_total", t), 1u);
    EXPECT_EQ(series(registry, "meshwatch_console_rotations_total", t), 1u);
    EXPECT_EQ(series(registry, "meshwatch_console_dropped_bytes_total", t), 1u);
    EXPECT_EQ(series(registry, "meshwatch_heartbeat_age_seconds", t), 3u);
  }
}

TEST(console_metrics, counts_land_on_the_right_labels) {
  prometheus::Registry registry;
  console_metrics m(registry, "mesher");
  m.line(console_stream::err);
  m.line(console_stream::err);
  m.event(console_event_kind::http_listening);
  m.panic(panic_kind::mesh, std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)));
  m.truncated_line();
  m.rotation();
  m.dropped_bytes(4096);
  m.heartbeat_age(heartbeat::health_check, 12.5);
  EXPECT_EQ(value(registry, "meshwatch_console_lines_total", "mesher", "stream", "stderr"), 2);
  EXPECT_EQ(value(registry, "meshwatch_console_lines_total", "mesher", "stream", "stdout"), 0);
  EXPECT_EQ(value(registry, "meshwatch_console_events_total", "mesher", "kind", "http_listening"), 1);
  EXPECT_EQ(value(registry, "meshwatch_console_panics_total", "mesher", "kind", "mesh"), 1);
  EXPECT_EQ(value(registry, "meshwatch_console_last_panic_timestamp_seconds", "mesher"), 1700000000);
  EXPECT_EQ(value(registry, "meshwatch_console_lines_truncated_total", "mesher"), 1);
  EXPECT_EQ(value(registry, "meshwatch_console_rotations_total", "mesher"), 1);
  EXPECT_EQ(value(registry, "meshwatch_console_dropped_bytes_total", "mesher"), 4096);
  EXPECT_EQ(value(registry, "meshwatch_heartbeat_age_seconds", "mesher", "heartbeat", "health_check"), 12.5);
}

TEST(console_metrics, user_patterns_are_kinds_of_their_own_from_the_start) {
  prometheus::Registry registry;
  console_metrics m(registry, "mesher", {"payment_timeout", "cache_miss_storm"});
  EXPECT_EQ(series(registry, "meshwatch_console_events_total", "mesher"), console_event_kind_count - 1 + 2);
  EXPECT_EQ(value(registry, "meshwatch_console_events_total", "mesher", "kind", "payment_timeout"), 0);
  m.user_event("payment_timeout");
  m.user_event("payment_timeout");
  m.user_event("not_configured");  // no new series: the label set stays what the config declared
  m.event(console_event_kind::user_match);
  EXPECT_EQ(value(registry, "meshwatch_console_events_total", "mesher", "kind", "payment_timeout"), 2);
  EXPECT_EQ(value(registry, "meshwatch_console_events_total", "mesher", "kind", "cache_miss_storm"), 0);
  EXPECT_EQ(series(registry, "meshwatch_console_events_total", "mesher"), console_event_kind_count - 1 + 2);
}

}  // namespace
}  // namespace meshwatch

#include "daemon/incidents/incident_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <optional>

namespace meshwatch {
namespace {

std::optional<double> value(prometheus::Registry& registry, const std::string& family,
                            const std::map<std::string, std::string>& labels) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) {
      continue;
    }
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) {
        got[l.name] = l.value;
      }
      if (got == labels) {
        return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return std::nullopt;
}

TEST(incident_metrics, every_kind_exists_per_target_from_the_start) {
  prometheus::Registry registry;
  incident_metrics metrics(registry, {"a", "b"});
  for (const auto* target : {"a", "b"}) {
    for (auto kind : all_incident_kinds) {
      EXPECT_EQ(value(registry, "meshwatch_incidents_total",
                      {{"target", target}, {"kind", std::string(to_string(kind))}}),
                0.0)
          << target << " " << to_string(kind);
    }
    EXPECT_EQ(value(registry, "meshwatch_incident_open", {{"target", target}}), 0.0);
  }
}

TEST(incident_metrics, open_and_close_move_the_counter_and_gauge) {
  prometheus::Registry registry;
  incident_metrics metrics(registry, {"a"});
  incident inc;
  inc.target = "a";
  inc.kind = incident_kind::panic;
  metrics.opened(inc);
  metrics.opened(inc);
  EXPECT_EQ(value(registry, "meshwatch_incidents_total", {{"target", "a"}, {"kind", "panic"}}), 2.0);
  EXPECT_EQ(value(registry, "meshwatch_incidents_total", {{"target", "a"}, {"kind", "crash"}}), 0.0);
  EXPECT_EQ(value(registry, "meshwatch_incident_open", {{"target", "a"}}), 2.0);
  metrics.closed(inc);
  metrics.closed(inc);
  metrics.closed(inc);  // one too many: stays at zero
  EXPECT_EQ(value(registry, "meshwatch_incident_open", {{"target", "a"}}), 0.0);
  EXPECT_EQ(value(registry, "meshwatch_incidents_total", {{"target", "a"}, {"kind", "panic"}}), 2.0);
}

TEST(incident_metrics, a_target_seen_later_gets_its_series) {
  prometheus::Registry registry;
  incident_metrics metrics(registry, {});
  incident inc;
  inc.target = "late";
  inc.kind = incident_kind::crash;
  metrics.opened(inc);
  EXPECT_EQ(value(registry, "meshwatch_incidents_total", {{"target", "late"}, {"kind", "crash"}}), 1.0);
  EXPECT_EQ(value(registry, "meshwatch_incidents_total", {{"target", "late"}, {"kind", "not_ready"}}), 0.0);
}

}  // namespace
}  // namespace meshwatch

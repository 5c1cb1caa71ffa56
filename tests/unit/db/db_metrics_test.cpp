#include "daemon/db/db_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <optional>

namespace meshwatch {
namespace {

std::optional<double> gauge(prometheus::Registry& registry, const std::string& name,
                            const std::string& target) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        if (label.name == "target" && label.value == target) {
          return metric.gauge.value;
        }
      }
    }
  }
  return std::nullopt;
}

TEST(db_metrics, every_series_exists_from_the_start) {
  prometheus::Registry registry;
  db_metrics metrics(registry, {"mesher", "other"});
  for (const char* target : {"mesher", "other"}) {
    EXPECT_EQ(gauge(registry, "meshwatch_db_up", target), 0.0);
    EXPECT_EQ(gauge(registry, "meshwatch_db_partition_horizon_seconds", target), 0.0);
    EXPECT_EQ(gauge(registry, "meshwatch_db_connections", target), 0.0);
  }
}

TEST(db_metrics, update_from_checks) {
  prometheus::Registry registry;
  db_metrics metrics(registry, {"mesher"});

  pg_check_result horizon;
  horizon.passed = false;
  horizon.reason = failure_reason::db_error;  // a threshold failure still measured something
  horizon.value = 0;
  metrics.update_from("mesher", pg_check::partition_horizon, horizon);
  EXPECT_EQ(gauge(registry, "meshwatch_db_up", "mesher"), 1.0);
  EXPECT_EQ(gauge(registry, "meshwatch_db_partition_horizon_seconds", "mesher"), 0.0);

  pg_check_result connections;
  connections.passed = true;
  connections.value = 7;
  metrics.update_from("mesher", pg_check::connections, connections);
  EXPECT_EQ(gauge(registry, "meshwatch_db_connections", "mesher"), 7.0);

  pg_check_result down;
  down.reason = failure_reason::db_error;
  metrics.update_from("mesher", pg_check::reachable, down);
  EXPECT_EQ(gauge(registry, "meshwatch_db_up", "mesher"), 0.0);
  EXPECT_EQ(gauge(registry, "meshwatch_db_connections", "mesher"), 7.0);  // kept, not invented

  metrics.set_partition_horizon("late", 3);  // a target added later gets its series
  EXPECT_EQ(gauge(registry, "meshwatch_db_partition_horizon_seconds", "late"), 3.0 * 86400);
  EXPECT_EQ(gauge(registry, "meshwatch_db_up", "late"), 0.0);
}

}  // namespace
}  // namespace meshwatch

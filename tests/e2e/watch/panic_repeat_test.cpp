// A handler panic that keeps happening, through `meshwatch run`: the twin's handler_panic fault
// makes every known route panic inside its handler (caught; the process lives), and a deep probe
// hits one every 500 ms. That is one ongoing problem: one open `panic` incident counting the
// repeats and naming the probe, and meshwatch_incidents_total{kind="panic"} counts it once while
// meshwatch_console_panics_total counts every panic.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include "tests/e2e/watch/watch_assertions.hpp"
#include "tests/e2e/watch/watch_test_harness.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto event_timeout = 30s;
const std::map<std::string, std::string> target{{"target", "mesher"}};

const std::string dashboard_probe =
    "  - name: dashboard_health\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/health\" }\n"
    "    expect: { status: 200, json: { /unresolved_count: number } }\n";

class repeated_panic_e2e : public ::testing::Test {
 protected:
  repeated_panic_e2e() : twin_({}, dashboard_probe) {}

  void SetUp() override {
    std::string why;
    ASSERT_TRUE(twin_.start(why)) << why << "\n" << twin_.console();
    std::string last;
    ASSERT_TRUE(twin_.wait_metric(
        "meshwatch_target_ready", target, [](auto v) { return equals(v, 1); }, event_timeout, &last))
        << last << "\n"
        << twin_.console();
    ASSERT_TRUE(twin_.wait_metric(
        "meshwatch_probe_success", {{"probe", "dashboard_health"}}, [](auto v) { return equals(v, 1); },
        event_timeout, &last))
        << last << "\n"
        << twin_.console();
  }

  void TearDown() override {
    twin_.meshwatch().send_signal(SIGTERM);
    twin_.meshwatch().wait_exit(5s);
  }

  watched_twin twin_;
};

TEST_F(repeated_panic_e2e, a_sustained_handler_panic_is_one_open_incident) {
  ASSERT_EQ(twin_.fault("handler_panic"), 200);
  std::string last;
  // 500 ms probes: 6 panics take about 3 s.
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_console_panics_total", {{"target", "mesher"}, {"kind", "runtime"}},
      [](auto v) { return v && *v >= 6; }, event_timeout, &last))
      << last << "\n"
      << twin_.console();
  const double panics = metric_sum(last, "meshwatch_console_panics_total", target);
  EXPECT_TRUE(
      equals(metric_value(last, "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "panic"}}), 1))
      << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_incident_open", target), 1)) << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", target), 1)) << last;
  EXPECT_EQ(metric_sum(last, "meshwatch_target_exits_total", target), 0) << last;

  const auto body = twin_.status();
  auto doc = parse_json(body);
  auto incidents = status_incidents(doc, "panic");
  ASSERT_EQ(incidents.size(), 1U) << body;
  const auto& inc = *incidents[0];
  EXPECT_STREQ(inc["state"].GetString(), "open") << body;
  ASSERT_TRUE(inc["occurrences"].IsUint64()) << body;
  EXPECT_GE(static_cast<double>(inc["occurrences"].GetUint64()), panics) << body;
  ASSERT_TRUE(inc["triggers"].IsArray()) << body;
  bool dashboard = false;
  for (const auto& t : inc["triggers"].GetArray()) {
    // The fast path (no Mesh code) is never named; the deep probe is.
    EXPECT_STRNE(t["probe"].GetString(), "fast_path") << body;
    dashboard = dashboard || std::string(t["probe"].GetString()) == "dashboard_health";
  }
  EXPECT_TRUE(dashboard) << body;
  EXPECT_NE(std::string(inc["summary"].GetString()).find("times"), std::string::npos) << body;
}

}  // namespace
}  // namespace meshwatch::test

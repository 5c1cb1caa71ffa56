// Each twin fault that a probe should see is detected by the right probe with the right
// reason within one interval plus timeout (issue 4), and clears again.
#include <gtest/gtest.h>

#include "tests/e2e/watch/watch_test_harness.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

// Probes at 500 ms / 400 ms (the harness defaults) on one DB-backed route and the stream.
const std::string fault_probes =
    "  - name: dashboard_health\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/health\" }\n"
    "    expect: { status: 200, json: { /unresolved_count: number, /events_24h: number, /new_today: number } "
    "}\n"
    "  - name: ws_stream_subscribe\n"
    "    ws: { path: \"/stream/projects/${project_id}\", send: '{\"filters\":{}}', expect_reply: { /type: "
    "\"filters_updated\" } }\n";

const std::string health_route = "route=/api/v1/projects/:project_id/dashboard/health";

class probe_faults : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(twin_.start(why)) << why << "\n" << twin_.console();
    ASSERT_TRUE(twin_.wait_metric(
        "meshwatch_probe_success", {{"probe", "dashboard_health"}}, [](auto v) { return v && *v == 1; }, 15s))
        << twin_.console();
  }

  // Injects `fault`, waits until `probe` counts a failure with `reason`, clears, waits for a pass.
  void expect_detected(const std::string& fault, const std::string& query, const std::string& probe,
                       const std::string& reason) {
    auto before =
        metric_sum(twin_.scrape(), "meshwatch_probe_failures_total", {{"probe", probe}, {"reason", reason}});
    ASSERT_EQ(twin_.fault(fault, query), 200) << fault;
    auto injected = std::chrono::steady_clock::now();
    std::string last;
    EXPECT_TRUE(twin_.wait_metric(
        "meshwatch_probe_failures_total", {{"probe", probe}, {"reason", reason}},
        [before](auto v) { return v && *v > before; }, 5s, &last))
        << fault << " not seen as " << reason << " by " << probe << "\n"
        << last.substr(0, 2000);
    // Interval (500 ms, jitter 10%) + timeout (400 ms) + scrape polling (100 ms), with slack for 2 cores.
    EXPECT_LT(std::chrono::steady_clock::now() - injected, 3s) << fault;
    ASSERT_EQ(twin_.fault("clear"), 200);
    EXPECT_TRUE(twin_.wait_metric(
        "meshwatch_probe_success", {{"probe", probe}}, [](auto v) { return v && *v == 1; }, 5s))
        << probe << " did not recover after " << fault;
  }

  watched_twin twin_{{}, fault_probes};
};

TEST_F(probe_faults, status_500_is_http_status) {
  expect_detected("status", health_route, "dashboard_health", "http_status");
}

TEST_F(probe_faults, hang_is_timeout) {
  expect_detected("hang", health_route, "dashboard_health", "timeout");
}

TEST_F(probe_faults, slow_beyond_the_timeout_is_timeout) {
  expect_detected("slow", health_route + "&ms=1500", "dashboard_health", "timeout");
}

TEST_F(probe_faults, invalid_json_is_invalid_json) {
  expect_detected("badjson", health_route, "dashboard_health", "invalid_json");
}

TEST_F(probe_faults, missing_key_is_shape) {
  expect_detected("shape", health_route, "dashboard_health", "shape");
}

TEST_F(probe_faults, websocket_rejection_is_ws_rejected) {
  expect_detected("ws_reject_all", "", "ws_stream_subscribe", "ws_rejected");
}

}  // namespace
}  // namespace meshwatch::test

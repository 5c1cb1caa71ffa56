// `meshwatch run` with a ws probe that checks keep-alive and an ingest pipeline, against the
// twin in fixed mode on a database of its own (meshwatch seeds the synthetic tenant into it):
// the twin's ws_no_pong fault is detected by the ws probe as ws_no_pong within one interval
// plus timeout and by the long-lived stream subscriber as a ws_no_pong reconnect; pushes
// caused by the pipeline's POST are observed with their latency.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <thread>

#include "tests/e2e/watch/watch_test_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

int json_int(const std::string& json, const std::string& key) {
  std::smatch m;
  std::regex re("\"" + key + "\":(\\d+)");
  return std::regex_search(json, m, re) ? std::stoi(m[1]) : 0;
}

// The ws probe as in the default catalogue; the ingest pipeline as there, with the row check
// on `issues` only (no wait for the events writer's flush) and intervals short enough for a test.
std::string config_text(unsigned short http, unsigned short ws, const std::string& dsn) {
  return "admin: { listen: 127.0.0.1:0 }\n"
         "defaults: { interval: 500ms, timeout: 400ms, healthy_threshold: 1, unhealthy_threshold: 2 }\n"
         "targets:\n"
         "  - name: mesher\n"
         "    http: http://127.0.0.1:" +
         std::to_string(http) + "\n    ws: ws://127.0.0.1:" + std::to_string(ws) +
         "\n    database: { dsn: \"" + dsn +
         "\" }\n"
         // Shorter than the 15 s / 5 s defaults, so a silent Mesher is noticed within a test's patience.
         "    stream: { ping_interval: 2s, pong_timeout: 1s }\n"
         "probes:\n"
         "  - name: ws_stream_subscribe\n"
         "    ws:\n"
         "      path: \"/stream/projects/${project_id}\"\n"
         "      send: '{\"filters\":{}}'\n"
         "      expect_reply: { /type: \"filters_updated\" }\n"
         "      expect_pong: true\n"
         "  - name: ingest_pipeline\n"
         "    interval: 3s\n"
         "    timeout: 2500ms\n"
         "    pipeline:\n"
         "      steps:\n"
         "        - name: accepted\n"
         "          http:\n"
         "            method: POST\n"
         "            path: /api/v1/events\n"
         "            headers: { x-sentry-auth: \"${api_key}\" }\n"
         "            body: '{\"message\":\"synthetic probe ingest\",\"fingerprint\":\"synthetic:ingest\"}'\n"
         "          expect: { status: 202, json: { /status: \"accepted\" } }\n"
         "        - name: db_visible\n"
         "          pg:\n"
         "            query: \"SELECT id::text AS issue_id FROM issues WHERE project_id = $1::uuid AND "
         "fingerprint = 'synthetic:ingest'\"\n"
         "            params: [\"${project_id}\"]\n"
         "          capture: { issue_id: issue_id }\n"
         "          within: 2s\n"
         "        - name: ws_pushed\n"
         "          ws_wait:\n"
         "            match: { /type: \"event\", /issue_id: \"${issue_id}\", /data/fingerprint: "
         "\"synthetic:ingest\" }\n"
         "          within: 2s\n";
}

class stream_e2e : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<scratch_database>();
    const std::string& dsn = db_->dsn();

    dir_ = std::filesystem::temp_directory_path() / ("meshwatch-stream-e2e-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto ports = dir_ / "ports.json";
    std::filesystem::remove(ports);
    twin_ = std::make_unique<subprocess>(
        std::vector<std::string>{binary_path("mesher-twin"), "--mode", "fixed", "--control-listen",
                                 "127.0.0.1:0", "--ports-file", ports.string()},
        std::map<std::string, std::string>{
            {"MESHER_TWIN_DSN", dsn}, {"MESHER_HTTP_PORT", "0"}, {"MESHER_WS_PORT", "0"}});
    ASSERT_TRUE(twin_->wait_for_line(stream::err, "HTTP server listening on", 30s)) << twin_->console();
    auto ports_json = read_all(ports);
    control_port_ = static_cast<unsigned short>(json_int(ports_json, "control"));
    ASSERT_NE(control_port_, 0) << ports_json;

    auto config = dir_ / "meshwatch.yaml";
    std::ofstream(config) << config_text(static_cast<unsigned short>(json_int(ports_json, "http")),
                                         static_cast<unsigned short>(json_int(ports_json, "ws")), dsn);
    meshwatch_ = std::make_unique<subprocess>(
        std::vector<std::string>{binary_path("meshwatch"), "run", "--config", config.string()},
        std::map<std::string, std::string>{{"STATE_DIRECTORY", dir_.string()}});
    static const std::regex listening(R"(admin server listening on http://127\.0\.0\.1:(\d+))");
    auto line = meshwatch_->wait_for_line(
        stream::err, [](const std::string& l) { return std::regex_search(l, listening); }, 15s);
    ASSERT_TRUE(line) << meshwatch_->console();
    std::smatch m;
    std::regex_search(*line, m, listening);
    admin_port_ = static_cast<unsigned short>(std::stoi(m[1]));
  }

  void TearDown() override {
    meshwatch_.reset();
    twin_.reset();
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string scrape() const {
    auto res = http_get("127.0.0.1", admin_port_, "/metrics", 3s);
    return res && res->status == 200 ? res->body : std::string();
  }

  // Polls /metrics every 100 ms until `accept` holds for the (summed) value or `timeout` passes.
  bool wait_metric(const std::string& name, const std::map<std::string, std::string>& labels,
                   const std::function<bool(double)>& accept, std::chrono::milliseconds timeout,
                   std::string* last = nullptr) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto body = scrape();
      if (last != nullptr) *last = body;
      if (!body.empty() && metric_value(body, name, labels) && accept(metric_sum(body, name, labels))) {
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(100ms);
    }
  }

  int fault(const std::string& name) const {
    http_request req;
    req.method = "POST";
    req.target = "/fault/" + name;
    auto res = http_call("127.0.0.1", control_port_, req, 3s);
    return res ? res->status : 0;
  }

  std::unique_ptr<scratch_database> db_;
  std::filesystem::path dir_;
  std::unique_ptr<subprocess> twin_;
  std::unique_ptr<subprocess> meshwatch_;
  unsigned short control_port_ = 0;
  unsigned short admin_port_ = 0;
};

TEST_F(stream_e2e, every_stream_series_exists_from_the_start) {
  std::string last;
  ASSERT_TRUE(wait_metric(
      "meshwatch_stream_connected", {{"target", "mesher"}}, [](double) { return true; }, 5s, &last))
      << last.substr(0, 2000);
  for (const char* reason : {"connect_failed", "handshake_failed", "rejected", "closed", "dropped",
                             "ws_no_pong", "idle_timeout", "too_large", "error"}) {
    EXPECT_TRUE(
        metric_value(last, "meshwatch_stream_reconnects_total", {{"target", "mesher"}, {"reason", reason}}))
        << reason;
  }
  for (const char* name :
       {"meshwatch_stream_pushes_total", "meshwatch_stream_silent_drops_total",
        "meshwatch_stream_push_latency_seconds_count", "meshwatch_stream_pong_latency_seconds_count"}) {
    EXPECT_TRUE(metric_value(last, name, {{"target", "mesher"}})) << name;
  }
  EXPECT_TRUE(metric_value(last, "meshwatch_probe_failures_total",
                           {{"probe", "ws_stream_subscribe"}, {"reason", "ws_no_pong"}}));
}

TEST_F(stream_e2e, pushes_caused_by_the_pipeline_are_observed_with_their_latency) {
  std::string last;
  EXPECT_TRUE(wait_metric(
      "meshwatch_stream_connected", {{"target", "mesher"}}, [](double v) { return v == 1; }, 20s, &last))
      << last.substr(0, 2000) << meshwatch_->console();
  // The pipeline's first run passes once the tenant is seeded; a run records its push latency
  // before its result, so the result is what to wait for.
  ASSERT_TRUE(wait_metric(
      "meshwatch_probe_success", {{"probe", "ingest_pipeline"}}, [](double v) { return v == 1; }, 30s, &last))
      << last.substr(0, 2000) << meshwatch_->console();
  EXPECT_GE(metric_sum(last, "meshwatch_stream_push_latency_seconds_count", {{"target", "mesher"}}), 1);
  EXPECT_GE(metric_sum(last, "meshwatch_pipeline_stage_latency_seconds_count",
                       {{"probe", "ingest_pipeline"}, {"stage", "ws_pushed"}}),
            1);
  EXPECT_GE(metric_sum(last, "meshwatch_stream_pushes_total", {{"target", "mesher"}}),
            2);  // event + issue_count
  auto latency_sum = metric_sum(last, "meshwatch_stream_push_latency_seconds_sum", {{"target", "mesher"}});
  EXPECT_GT(latency_sum, 0);
  EXPECT_LT(latency_sum,
            2.5 * metric_sum(last, "meshwatch_stream_push_latency_seconds_count", {{"target", "mesher"}}));
  EXPECT_EQ(metric_sum(last, "meshwatch_stream_silent_drops_total", {{"target", "mesher"}}), 0);
}

TEST_F(stream_e2e, ws_no_pong_is_detected_by_the_ws_probe_and_the_stream_subscriber) {
  std::string last;
  ASSERT_TRUE(wait_metric(
      "meshwatch_probe_success", {{"probe", "ws_stream_subscribe"}}, [](double v) { return v == 1; }, 20s,
      &last))
      << last.substr(0, 2000) << meshwatch_->console();
  ASSERT_TRUE(wait_metric(
      "meshwatch_stream_connected", {{"target", "mesher"}}, [](double v) { return v == 1; }, 10s, &last));
  const std::map<std::string, std::string> probe_no_pong{{"probe", "ws_stream_subscribe"},
                                                         {"reason", "ws_no_pong"}};
  const std::map<std::string, std::string> stream_no_pong{{"target", "mesher"}, {"reason", "ws_no_pong"}};
  auto probe_before = metric_sum(last, "meshwatch_probe_failures_total", probe_no_pong);
  auto stream_before = metric_sum(last, "meshwatch_stream_reconnects_total", stream_no_pong);

  ASSERT_EQ(fault("ws_no_pong"), 200);
  auto injected = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_metric(
      "meshwatch_probe_failures_total", probe_no_pong, [probe_before](double v) { return v > probe_before; },
      5s, &last))
      << last.substr(0, 2000);
  // One interval (500 ms, jitter 10 %) plus the timeout (400 ms) plus scrape polling, with slack
  // for two loaded cores.
  auto detected = std::chrono::steady_clock::now() - injected;
  std::cout << "[measured] ws probe saw ws_no_pong "
            << std::chrono::duration_cast<std::chrono::milliseconds>(detected).count()
            << " ms after the fault\n";
  EXPECT_LT(detected, 3s);
  EXPECT_EQ(metric_value(last, "meshwatch_probe_success", {{"probe", "ws_stream_subscribe"}}), 0);

  // The long-lived subscriber, configured to ping every 2 s and give a pong 1 s: one full
  // cycle (3 s), and slack for scrape polling on two loaded cores.
  EXPECT_TRUE(wait_metric(
      "meshwatch_stream_reconnects_total", stream_no_pong,
      [stream_before](double v) { return v > stream_before; }, 20s, &last))
      << last.substr(0, 2000);
  auto reconnected = std::chrono::steady_clock::now() - injected;
  std::cout << "[measured] stream subscriber reconnected for ws_no_pong "
            << std::chrono::duration_cast<std::chrono::milliseconds>(reconnected).count()
            << " ms after the fault\n";
  EXPECT_LT(reconnected, 8s);  // the default 15 s + 5 s cycle could not

  ASSERT_EQ(fault("clear"), 200);
  EXPECT_TRUE(wait_metric(
      "meshwatch_probe_success", {{"probe", "ws_stream_subscribe"}}, [](double v) { return v == 1; }, 5s));
  EXPECT_TRUE(wait_metric(
      "meshwatch_stream_connected", {{"target", "mesher"}}, [](double v) { return v == 1; }, 10s));
}

}  // namespace
}  // namespace meshwatch::test

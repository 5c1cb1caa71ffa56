// meshwatch watching the Mesher twin it started (process exec + console child): each injected
// failure of FAILURES.md must show up in the metrics, on /status and in the incident log.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "tests/e2e/watch/watch_test_harness.hpp"
#include "tests/support/http_client.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto event_timeout = 20s;

bool equals(std::optional<double> v, double want) { return v && *v == want; }

/** Incidents of `kind` on /status (open and recent together). */
std::vector<const rapidjson::Value*> incidents_of(const rapidjson::Document& status,
                                                  const std::string& kind) {
  std::vector<const rapidjson::Value*> out;
  if (!status.IsObject() || !status.HasMember("incidents")) return out;
  for (const char* list : {"open", "recent"}) {
    const auto& items = status["incidents"][list];
    if (!items.IsArray()) continue;
    for (const auto& inc : items.GetArray()) {
      if (inc.HasMember("kind") && inc["kind"].IsString() && kind == inc["kind"].GetString()) {
        out.push_back(&inc);
      }
    }
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class watch_e2e : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(twin_.start(why)) << why << "\n" << twin_.console();
    std::string last;
    // Readiness: the listening line on the child's stderr and a passing fast-path probe.
    ASSERT_TRUE(twin_.wait_metric(
        "meshwatch_target_ready", {{"target", "mesher"}}, [](auto v) { return equals(v, 1); }, event_timeout,
        &last))
        << last << "\n"
        << twin_.console();
  }

  /** SIGTERM: meshwatch (and its child) must be gone within 2 s, exit 0. */
  void stop_meshwatch() {
    auto sent = std::chrono::steady_clock::now();
    twin_.meshwatch().send_signal(SIGTERM);
    auto status = twin_.meshwatch().wait_exit(2s);
    ASSERT_TRUE(status) << "still running 2 s after SIGTERM\n" << twin_.console();
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 2s);
    EXPECT_FALSE(status->signaled);
    EXPECT_EQ(status->code, 0) << twin_.console();
  }

  rapidjson::Document status_document() {
    rapidjson::Document doc;
    auto body = twin_.status();
    doc.Parse(body.c_str(), body.size());
    return doc;
  }

  watched_twin twin_;
};

TEST_F(watch_e2e, ready_after_start_and_status_lists_the_target) {
  auto metrics = twin_.scrape();
  EXPECT_TRUE(equals(metric_value(metrics, "meshwatch_target_up", {{"target", "mesher"}}), 1)) << metrics;
  EXPECT_TRUE(equals(metric_value(metrics, "meshwatch_incident_open", {{"target", "mesher"}}), 0)) << metrics;

  auto body = twin_.status();
  ASSERT_TRUE(body.starts_with(R"({"probes":[)")) << body;
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  ASSERT_FALSE(doc.HasParseError()) << body;
  ASSERT_TRUE(doc["targets"].IsArray()) << body;
  ASSERT_EQ(doc["targets"].Size(), 1u) << body;
  const auto& target = doc["targets"][0];
  EXPECT_STREQ(target["target"].GetString(), "mesher");
  const auto& process = target["process"];
  ASSERT_TRUE(process.IsObject()) << body;
  EXPECT_STREQ(process["selector"].GetString(), "exec");
  EXPECT_TRUE(process["up"].GetBool());
  EXPECT_TRUE(process["ready"].GetBool());
  ASSERT_TRUE(process["pid"].IsInt()) << body;
  EXPECT_EQ(process["pid"].GetInt(), twin_.ports().pid);
  EXPECT_STREQ(target["console"]["source"].GetString(), "child");
  EXPECT_TRUE(doc["incidents"]["open"].IsArray()) << body;
  EXPECT_EQ(doc["incidents"]["open"].Size(), 0u) << body;

  stop_meshwatch();
  // The child went with it.
  EXPECT_NE(::kill(twin_.ports().pid, 0), 0) << "the twin outlived meshwatch";
}

TEST_F(watch_e2e, segv_is_one_crash_incident_with_its_signal) {
  twin_.fault("segv");
  std::string last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last << "\n"
      << twin_.console();
  EXPECT_TRUE(equals(
      metric_value(last, "meshwatch_target_exits_total", {{"target", "mesher"}, {"signal", "SIGSEGV"}}), 1))
      << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", {{"target", "mesher"}}), 0)) << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_ready", {{"target", "mesher"}}), 0)) << last;
  EXPECT_EQ(metric_sum(last, "meshwatch_incidents_total", {{"target", "mesher"}}), 1) << last;

  auto doc = status_document();
  auto crashes = incidents_of(doc, "crash");
  ASSERT_EQ(crashes.size(), 1u) << twin_.status();
  const auto& inc = *crashes[0];
  ASSERT_TRUE(inc.HasMember("exit") && inc["exit"].IsObject()) << twin_.status();
  EXPECT_STREQ(inc["exit"]["signal"].GetString(), "SIGSEGV");
  EXPECT_FALSE(doc["targets"][0]["process"]["up"].GetBool());
  EXPECT_FALSE(inc.HasMember("last_lines")) << "the /status summary stays small";

  // On SIGTERM the open incident is closed and lands in $STATE_DIRECTORY/incidents.jsonl.
  stop_meshwatch();
  auto log = read_file(twin_.dir() / "incidents.jsonl");
  EXPECT_NE(log.find(R"("kind":"crash")"), std::string::npos) << log;
  EXPECT_NE(log.find("SIGSEGV"), std::string::npos) << log;
  // D1: the full incident carries the console lines before the exit, info lines included.
  rapidjson::Document logged;
  logged.Parse(log.substr(0, log.find('\n')).c_str());
  ASSERT_TRUE(logged.IsObject() && logged["last_lines"].IsArray()) << log;
  bool found = false;
  for (const auto& l : logged["last_lines"].GetArray()) {
    if (std::string_view(l["line"].GetString()).starts_with("[mesh-rt] HTTP server listening on ")) {
      found = true;
      EXPECT_STREQ(l["stream"].GetString(), "stderr");
      EXPECT_LT(l["offset_seconds"].GetDouble(), 0);
    }
  }
  EXPECT_TRUE(found) << log;
}

// Outside systemd (no STATE_DIRECTORY) the log goes where `incidents.log` says, resolved against
// the config file's directory, and rotates at `max_file_bytes`.
TEST(watch_incident_log, configured_path_is_used_without_state_directory) {
  watched_twin twin({{"STATE_DIRECTORY", ""}},
                    "incidents: { log: own-incidents.jsonl, max_file_bytes: 65536, rotated_files: 1 }\n");
  std::string why;
  ASSERT_TRUE(twin.start(why)) << why << "\n" << twin.console();
  std::string last;
  ASSERT_TRUE(twin.wait_metric(
      "meshwatch_target_ready", {{"target", "mesher"}}, [](auto v) { return equals(v, 1); }, event_timeout,
      &last))
      << last << "\n"
      << twin.console();
  twin.fault("segv");
  ASSERT_TRUE(twin.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last;
  twin.meshwatch().send_signal(SIGTERM);
  ASSERT_TRUE(twin.meshwatch().wait_exit(5s));
  auto log = read_file(twin.dir() / "own-incidents.jsonl");
  EXPECT_NE(log.find(R"("kind":"crash")"), std::string::npos) << log << "\n" << twin.console();
  EXPECT_NE(log.find("SIGSEGV"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(twin.dir() / "incidents.jsonl"));
  EXPECT_NE(twin.console().find("incident log: " + (twin.dir() / "own-incidents.jsonl").string()),
            std::string::npos)
      << twin.console();
}

TEST_F(watch_e2e, aborting_panic_is_one_incident_with_the_panic_attached) {
  twin_.fault("panic");
  std::string last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last << "\n"
      << twin_.console();
  EXPECT_TRUE(equals(
      metric_value(last, "meshwatch_target_exits_total", {{"target", "mesher"}, {"signal", "SIGABRT"}}), 1))
      << last;
  // The panic block joins the crash (it arrives with or just after the exit): one incident.
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& body) {
        rapidjson::Document d;
        d.Parse(body.c_str(), body.size());
        auto crashes = incidents_of(d, "crash");
        return crashes.size() == 1 && (*crashes[0]).HasMember("panics") &&
               (*crashes[0])["panics"].IsArray() && !(*crashes[0])["panics"].Empty();
      },
      event_timeout, &last))
      << last;
  auto metrics = twin_.scrape();
  EXPECT_EQ(metric_sum(metrics, "meshwatch_console_panics_total", {{"target", "mesher"}}), 1) << metrics;
  EXPECT_EQ(metric_sum(metrics, "meshwatch_incidents_total", {{"target", "mesher"}}), 1) << metrics;
  stop_meshwatch();
}

TEST_F(watch_e2e, handler_panic_is_a_panic_incident_and_the_process_lives) {
  ASSERT_EQ(twin_.fault("handler_panic"), 200);
  // Any known route now panics inside its handler; the runtime catches it and closes the
  // connection (RUNTIME.md §5.5 a).
  http_get("127.0.0.1", twin_.ports().http, "/api/v1/projects/1/dashboard/health", 3s);
  std::string last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "panic"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last << "\n"
      << twin_.console();
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", {{"target", "mesher"}}), 1)) << last;
  EXPECT_EQ(metric_sum(last, "meshwatch_target_exits_total", {{"target", "mesher"}}), 0) << last;
  EXPECT_EQ(metric_sum(last, "meshwatch_console_panics_total", {{"target", "mesher"}}), 1) << last;
  auto doc = status_document();
  EXPECT_EQ(incidents_of(doc, "panic").size(), 1u) << twin_.status();
  EXPECT_TRUE(doc["targets"][0]["process"]["up"].GetBool());
  stop_meshwatch();
}

TEST_F(watch_e2e, exit_0_is_a_clean_exit_incident) {
  twin_.fault("exit0");
  std::string last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "clean_exit"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last << "\n"
      << twin_.console();
  EXPECT_TRUE(
      equals(metric_value(last, "meshwatch_target_exits_total", {{"target", "mesher"}, {"code", "0"}}), 1))
      << last;
  EXPECT_TRUE(
      equals(metric_value(last, "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}}), 0))
      << last;
  stop_meshwatch();
}

TEST_F(watch_e2e, heartbeat_stop_lets_the_load_monitor_age_grow) {
  // Load monitor every 200 ms: once a line was seen, its age stays well under a second. (Before
  // the first line the age counts from the start, which is young too: wait for a sighting.)
  std::string last;
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& body) {
        rapidjson::Document d;
        d.Parse(body.c_str(), body.size());
        if (d.HasParseError() || !d["targets"].IsArray() || d["targets"].Empty()) return false;
        const auto& beat = d["targets"][0]["console"]["heartbeats"]["load_monitor"];
        return beat.IsObject() && beat["seen"].GetBool();
      },
      event_timeout, &last))
      << last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_heartbeat_age_seconds", {{"target", "mesher"}, {"heartbeat", "load_monitor"}},
      [](auto v) { return v && *v < 0.5; }, event_timeout, &last))
      << last;
  ASSERT_EQ(twin_.fault("heartbeat_stop"), 200);
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_heartbeat_age_seconds", {{"target", "mesher"}, {"heartbeat", "load_monitor"}},
      [](auto v) { return v && *v > 2.0; }, event_timeout, &last))
      << last;
  auto doc = status_document();
  const auto& beat = doc["targets"][0]["console"]["heartbeats"]["load_monitor"];
  ASSERT_TRUE(beat.IsObject()) << twin_.status();
  EXPECT_GT(beat["age_seconds"].GetDouble(), 2.0);
  EXPECT_TRUE(beat["seen"].GetBool());
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", {{"target", "mesher"}}), 1)) << last;
  stop_meshwatch();
}

}  // namespace
}  // namespace meshwatch::test

// Restarts and crash loops of a Mesher the test runs itself, as a service manager would: meshwatch
// finds it by pidfile (or command line) and reads its console from a file. Readiness after each
// start needs the new listening line and a passing fast-path probe; a normal restart counts no
// endpoint failure; PIDs are never confused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "tests/e2e/watch/twin_process.hpp"
#include "tests/e2e/watch/watch_assertions.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto event_timeout = 30s;
const std::map<std::string, std::string> target{{"target", "mesher"}};

const std::string dashboard_probe =
    "  - name: dashboard_health\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/health\" }\n"
    "    expect: { status: 200, json: { /unresolved_count: number } }\n";

watch_setup pidfile_setup() {
  watch_setup s;
  s.process = "{ pidfile: '@DIR@/mesher.pid', start_grace: 20s, crash_loop: { restarts: 3, within: 5m } }";
  s.console = "{ file: '@DIR@/mesher.log' }";
  s.extra_probes = dashboard_probe;
  return s;
}

class restarts : public ::testing::Test {
 protected:
  explicit restarts(watch_setup setup = pidfile_setup()) : mw_(std::move(setup)) {}

  void SetUp() override {
    std::string why;
    ASSERT_TRUE(mw_.start(why)) << why << "\n" << mw_.console();
  }

  /** Starts the next twin (console appended to `console`) and, unless told not to, writes the pidfile. */
  twin_process& start_twin(bool write_pid = true, const std::string& console = "mesher.log") {
    auto n = twins_.size();
    twins_.push_back(std::make_unique<twin_process>(mw_.environment(), mw_.dir() / console,
                                                    mw_.dir() / ("ports-" + std::to_string(n) + ".json")));
    std::string why;
    started_ok_ = twins_.back()->start(why);
    EXPECT_TRUE(started_ok_) << why << "\n" << slurp(mw_.dir() / "mesher.log");
    if (started_ok_ && write_pid) {
      write_pidfile(mw_.dir() / "mesher.pid", twins_.back()->pid());
    }
    return *twins_.back();
  }

  bool wait_gauge(const std::string& name, double want, std::chrono::milliseconds timeout = event_timeout) {
    return mw_.wait_metric(
        name, target, [want](auto v) { return equals(v, want); }, timeout, &last_);
  }

  double endpoint_failures() {
    auto m = mw_.scrape();
    return metric_sum(m, "meshwatch_probe_failures_total", {{"probe", "fast_path"}}) +
           metric_sum(m, "meshwatch_probe_failures_total", {{"probe", "dashboard_health"}});
  }

  std::optional<int> status_pid() {
    auto doc = parse_json(mw_.status());
    const auto* p = status_process(doc);
    if (p == nullptr || !p->HasMember("pid") || !(*p)["pid"].IsInt()) {
      return std::nullopt;
    }
    return (*p)["pid"].GetInt();
  }

  watched_twin mw_;
  std::vector<std::unique_ptr<twin_process>> twins_;
  bool started_ok_ = false;
  std::string last_;
};

TEST_F(restarts, a_normal_restart_is_gated_on_readiness_and_counts_no_endpoint_failure) {
  // meshwatch was first: the console file does not exist yet, the pidfile neither.
  auto& first = start_twin();
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  ASSERT_TRUE(mw_.wait_metric(
      "meshwatch_probe_success", {{"probe", "dashboard_health"}}, [](auto v) { return equals(v, 1); },
      event_timeout, &last_))
      << last_;
  EXPECT_EQ(status_pid(), first.pid());
  EXPECT_TRUE(equals(metric_value(last_, "meshwatch_target_restarts_total", target), 0)) << last_;
  const double failures_before = endpoint_failures();
  const double runs_before = metric_sum(mw_.scrape(), "meshwatch_probe_runs_total", {{"probe", "fast_path"}});

  // systemctl restart: SIGTERM (Mesher has no handler and dies at once), a short gap, a new process.
  first.send_signal(SIGTERM);
  ASSERT_TRUE(first.wait_exit(5s));
  ASSERT_TRUE(wait_gauge("meshwatch_target_up", 0, 5s)) << last_;
  EXPECT_TRUE(equals(metric_value(last_, "meshwatch_target_ready", target), 0)) << last_;
  std::this_thread::sleep_for(1500ms);  // a few fast-path probes meet a closed port
  EXPECT_EQ(status_pid(), std::nullopt) << mw_.status();

  auto& second = start_twin();
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_restarts_total", 1)) << last_ << "\n" << mw_.console();
  ASSERT_TRUE(wait_gauge("meshwatch_target_up", 1)) << last_;
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  EXPECT_EQ(status_pid(), second.pid());
  ASSERT_TRUE(mw_.wait_metric(
      "meshwatch_probe_success", {{"probe", "dashboard_health"}}, [](auto v) { return equals(v, 1); },
      event_timeout, &last_))
      << last_;

  // The probes did run into the gap, and failed there, but nothing was counted against them.
  EXPECT_GE(metric_sum(mw_.scrape(), "meshwatch_probe_runs_total", {{"probe", "fast_path"}}),
            runs_before + 2);
  EXPECT_EQ(endpoint_failures(), failures_before) << mw_.scrape();
  EXPECT_TRUE(equals(metric_value(mw_.scrape(), "meshwatch_probe_healthy", {{"probe", "fast_path"}}), 1));
  auto doc = parse_json(mw_.status());
  EXPECT_TRUE(status_incidents(doc, "endpoint_outage").empty()) << mw_.status();
  EXPECT_TRUE(status_incidents(doc, "not_ready").empty()) << mw_.status();
  // The stop itself is on record — as a stop, not a crash (D1: 143/SIGTERM is an external stop) —
  // open until the new process was ready, with the failures of the gap (probes started after
  // the exit) tagged as "starting". It is no step towards a crash loop.
  EXPECT_TRUE(status_incidents(doc, "crash").empty()) << mw_.status();
  auto scraped = mw_.scrape();
  EXPECT_TRUE(equals(
      metric_value(scraped, "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}}), 0))
      << scraped;
  EXPECT_TRUE(equals(
      metric_value(scraped, "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "stopped"}}), 1))
      << scraped;
  EXPECT_TRUE(equals(metric_value(scraped, "meshwatch_target_crash_looping", target), 0)) << scraped;
  auto stops = status_incidents(doc, "stopped");
  ASSERT_EQ(stops.size(), 1u) << mw_.status();
  EXPECT_STREQ((*stops[0])["state"].GetString(), "closed") << mw_.status();
  EXPECT_STREQ((*stops[0])["close_reason"].GetString(), "ready") << mw_.status();
  EXPECT_STREQ((*stops[0])["exit"]["classification"].GetString(), "external_stop") << mw_.status();
  const auto& failing = (*stops[0])["failing_probes"];
  ASSERT_TRUE(failing.IsArray()) << mw_.status();
  int in_gap = 0;
  for (const auto& f : failing.GetArray()) {
    if (f["offset_seconds"].GetDouble() >= 0) {
      ++in_gap;
      EXPECT_TRUE(f["starting"].GetBool()) << mw_.status();
    }
  }
  EXPECT_GE(in_gap, 2) << mw_.status();
}

TEST_F(restarts, readiness_after_a_restart_waits_for_the_new_listening_line) {
  auto& first = start_twin();
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  first.send_signal(SIGKILL);
  ASSERT_TRUE(wait_gauge("meshwatch_target_up", 0, 5s)) << last_;

  // The new process prints where meshwatch does not look: it answers, but is not ready.
  auto& second = start_twin(true, "elsewhere.log");
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_restarts_total", 1)) << last_;
  ASSERT_TRUE(mw_.wait_metric(
      "meshwatch_probe_success", {{"probe", "fast_path"}}, [](auto v) { return equals(v, 1); }, event_timeout,
      &last_))
      << last_;
  std::this_thread::sleep_for(1s);  // several passing fast-path probes
  auto m = mw_.scrape();
  EXPECT_TRUE(equals(metric_value(m, "meshwatch_target_up", target), 1)) << m;
  EXPECT_TRUE(equals(metric_value(m, "meshwatch_target_ready", target), 0)) << m;
  auto doc = parse_json(mw_.status());
  const auto* process = status_process(doc);
  ASSERT_NE(process, nullptr) << mw_.status();
  EXPECT_STREQ((*process)["readiness"].GetString(), "starting");
  EXPECT_TRUE((*process)["in_start_grace"].GetBool());

  // Its listening line reaches the watched file: now it is ready.
  std::ofstream(mw_.dir() / "mesher.log", std::ios::app)
      << "[mesh-rt] HTTP server listening on 0.0.0.0:" << second.ports().http << "\n";
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1, 10s)) << last_ << "\n" << mw_.console();
}

TEST_F(restarts, a_pidfile_naming_a_later_process_is_no_restart) {
  auto& first = start_twin();
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_up", 1)) << last_ << "\n" << mw_.console();
  first.send_signal(SIGKILL);
  ASSERT_TRUE(wait_gauge("meshwatch_target_up", 0, 5s)) << last_;

  // The PID in a pidfile written long ago now belongs to something else (PID reuse).
  subprocess impostor({"/bin/sleep", "60"});
  write_pidfile(mw_.dir() / "mesher.pid", impostor.pid());
  const auto pidfile = (mw_.dir() / "mesher.pid").string();
  struct timespec times[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, pidfile.c_str(), times, 0), 0);
  std::this_thread::sleep_for(3s);  // the watcher re-reads the pidfile at least every 2 s
  auto m = mw_.scrape();
  EXPECT_TRUE(equals(metric_value(m, "meshwatch_target_up", target), 0)) << m;
  EXPECT_TRUE(equals(metric_value(m, "meshwatch_target_restarts_total", target), 0)) << m;
  EXPECT_EQ(status_pid(), std::nullopt) << mw_.status();

  // A real restart rewrites the pidfile: that one counts.
  auto& second = start_twin();
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_restarts_total", 1)) << last_;
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  EXPECT_EQ(status_pid(), second.pid());
}

TEST_F(restarts, quick_crashes_are_one_crash_loop_incident) {
  const std::vector<int> deaths{SIGSEGV, SIGKILL, SIGSEGV, SIGKILL};
  for (std::size_t i = 0; i < deaths.size(); ++i) {
    auto& twin = start_twin();
    ASSERT_TRUE(started_ok_);
    ASSERT_TRUE(wait_gauge("meshwatch_target_restarts_total", static_cast<double>(i))) << last_;
    ASSERT_TRUE(wait_gauge("meshwatch_target_up", 1)) << last_;
    EXPECT_EQ(status_pid(), twin.pid());
    if (deaths[i] == SIGSEGV) {
      twin.fault("segv");  // a real SIGSEGV inside the twin
    } else {
      twin.send_signal(SIGKILL);
    }
    auto status = twin.wait_exit(5s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->signaled);
    EXPECT_EQ(status->signal, deaths[i]);
    ASSERT_TRUE(wait_gauge("meshwatch_target_up", 0, 5s)) << last_;
  }
  // Four deaths, the fifth start is the 4th restart: the threshold (3) was reached at the 4th start.
  auto& last_twin = start_twin();
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_restarts_total", 4)) << last_;
  ASSERT_TRUE(wait_gauge("meshwatch_target_crash_looping", 1)) << last_;
  EXPECT_TRUE(equals(
      metric_value(last_, "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash_loop"}}), 1))
      << last_;
  EXPECT_TRUE(
      equals(metric_value(last_, "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}}), 4))
      << last_;
  EXPECT_EQ(metric_sum(last_, "meshwatch_target_exits_total", target), 4) << last_;
  auto doc = parse_json(mw_.status());
  const auto* process = status_process(doc);
  ASSERT_NE(process, nullptr) << mw_.status();
  if ((*process)["exit_status_available"].GetBool()) {
    // Root with the proc connector: each non-child death is classified by its signal.
    EXPECT_TRUE(equals(
        metric_value(last_, "meshwatch_target_exits_total", {{"target", "mesher"}, {"signal", "SIGSEGV"}}),
        2))
        << last_;
    EXPECT_TRUE(equals(
        metric_value(last_, "meshwatch_target_exits_total", {{"target", "mesher"}, {"signal", "SIGKILL"}}),
        2))
        << last_;
  } else {
    EXPECT_TRUE(equals(metric_value(last_, "meshwatch_target_exits_total",
                                    {{"target", "mesher"}, {"code", ""}, {"signal", ""}}),
                       4))
        << last_;
  }
  auto loops = status_incidents(doc, "crash_loop");
  ASSERT_EQ(loops.size(), 1u) << mw_.status();
  EXPECT_TRUE((*loops[0])["state"].IsString()) << mw_.status();
  EXPECT_STREQ((*loops[0])["summary"].GetString(), "crash loop: 3 restarts after crashes within 300 s")
      << mw_.status();
  // The restarted process still becomes ready; the loop stays open until restarts age out.
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  EXPECT_EQ(status_pid(), last_twin.pid());
  EXPECT_TRUE(equals(
      metric_value(mw_.scrape(), "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash_loop"}}),
      1));
}

watch_setup match_setup() {
  watch_setup s;
  // The twins' command lines hold this test's directory (their --ports-file): unique on the host.
  s.process = "{ match: '--ports-file @DIR@/ports-', start_grace: 20s }";
  s.console = "{ file: '@DIR@/mesher.log' }";
  return s;
}

class match_restarts : public restarts {
 protected:
  match_restarts() : restarts(match_setup()) {}
};

TEST_F(match_restarts, a_command_line_match_follows_the_restarted_process) {
  auto& first = start_twin(false);
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  EXPECT_EQ(status_pid(), first.pid());
  first.send_signal(SIGKILL);
  ASSERT_TRUE(wait_gauge("meshwatch_target_up", 0, 5s)) << last_;
  auto& second = start_twin(false);
  ASSERT_TRUE(started_ok_);
  ASSERT_TRUE(wait_gauge("meshwatch_target_restarts_total", 1)) << last_;
  ASSERT_TRUE(wait_gauge("meshwatch_target_ready", 1)) << last_ << "\n" << mw_.console();
  EXPECT_EQ(status_pid(), second.pid());
}

}  // namespace
}  // namespace meshwatch::test

// The twin's resource faults through `meshwatch run` (exec child, console on its pipes): a memory
// leak (F-28), fd growth and exhaustion (F-34) and a blocked stdout (F-38), each seen in the
// metrics of DESIGN.md §9 and producing exactly the incident its consequence calls for.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/e2e/watch/watch_assertions.hpp"
#include "tests/e2e/watch/watch_test_harness.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto event_timeout = 20s;
// /proc is sampled every 10 s: two samples and some slack.
constexpr auto sample_timeout = 30s;
const std::map<std::string, std::string> target{{"target", "mesher"}};

// A DB-backed route and the stream, besides the fast path: three distinct probes, enough for an
// endpoint outage when the twin stops accepting.
const std::string endpoint_probes =
    "  - name: dashboard_health\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/health\" }\n"
    "    expect: { status: 200, json: { /unresolved_count: number } }\n"
    "  - name: ws_stream_subscribe\n"
    "    ws: { path: \"/stream/projects/${project_id}\", send: '{\"filters\":{}}', expect_reply: { /type: "
    "\"filters_updated\" } }\n";

class resource_faults : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(twin_.start(why)) << why << "\n" << twin_.console();
    std::string last;
    ASSERT_TRUE(twin_.wait_metric(
        "meshwatch_target_ready", target, [](auto v) { return equals(v, 1); }, event_timeout, &last))
        << last << "\n"
        << twin_.console();
  }

  double gauge(const std::string& name, const std::map<std::string, std::string>& labels = target) {
    return metric_value(twin_.scrape(), name, labels).value_or(-1);
  }

  void stop_meshwatch() {
    twin_.meshwatch().send_signal(SIGTERM);
    auto status = twin_.meshwatch().wait_exit(5s);
    ASSERT_TRUE(status) << twin_.console();
    EXPECT_EQ(status->code, 0) << twin_.console();
  }

  watched_twin twin_{{}, endpoint_probes};
};

TEST_F(resource_faults, leak_grows_the_resident_memory_and_its_oom_kill_is_one_crash) {
  std::string last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_resident_memory_bytes", target, [](auto v) { return v && *v > 0; }, sample_timeout,
      &last))
      << last;
  const double before = gauge("meshwatch_target_resident_memory_bytes");
  constexpr double mib = 1024.0 * 1024.0;
  // 32 MiB/s, at most 192 MiB: unmistakable next to the twin's own few tens of MiB.
  ASSERT_EQ(twin_.fault("leak", "bytes_per_sec=33554432&max_bytes=201326592"), 200);
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_resident_memory_bytes", target,
      [before](auto v) { return v && *v >= before + 160 * mib; }, sample_timeout, &last))
      << "before " << before << "\n"
      << last;
  // Growth alone is no incident: the process lives and answers (F-28 is DEGRADED until the end).
  EXPECT_EQ(metric_sum(last, "meshwatch_incidents_total", target), 0) << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", target), 1)) << last;
  auto doc = parse_json(twin_.status());
  const auto* process = status_process(doc);
  ASSERT_TRUE(process != nullptr && (*process)["resources"].IsObject()) << twin_.status();
  EXPECT_GE((*process)["resources"]["resident_bytes"].GetDouble(), before + 160 * mib);
  // The watcher's sample, not a fresh read: its age is at most one sampling interval and some.
  const double age = (*process)["resources"]["sampled_seconds_ago"].GetDouble();
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 15);

  // The end of F-28: the OOM killer's SIGKILL. One crash incident, classified as killed.
  ASSERT_EQ(::kill(twin_.ports().pid, SIGKILL), 0);
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "crash"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last;
  EXPECT_TRUE(equals(
      metric_value(last, "meshwatch_target_exits_total", {{"target", "mesher"}, {"signal", "SIGKILL"}}), 1))
      << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_resident_memory_bytes", target), 0)) << last;
  doc = parse_json(twin_.status());
  auto crashes = status_incidents(doc, "crash");
  ASSERT_EQ(crashes.size(), 1u) << twin_.status();
  EXPECT_STREQ((*crashes[0])["exit"]["classification"].GetString(), "killed") << twin_.status();
  EXPECT_EQ(status_incidents(doc).size(), 1u) << twin_.status();
  stop_meshwatch();
  EXPECT_EQ(logged_incidents(twin_.dir() / "incidents.jsonl", "crash"), 1);
}

/** Bytes waiting in the pipe behind `fd` of `pid` and its capacity, read through /proc (0, 0 if unreadable).
 */
std::pair<int, int> pipe_fill(int pid, int fd) {
  auto path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (reader < 0) {
    return {0, 0};
  }
  int queued = 0;
  ::ioctl(reader, FIONREAD, &queued);
  int capacity = ::fcntl(reader, F_GETPIPE_SZ);
  ::close(reader);
  return {queued, capacity};
}

/** Connections that send nothing (a preconnecting browser, a slowloris), closed on destruction. */
class idle_clients {
 public:
  idle_clients(unsigned short port, std::size_t n) : fds_(connect_loopback_clients(port, n)) {}
  ~idle_clients() {
    for (int fd : fds_) {
      ::close(fd);
    }
  }
  idle_clients(const idle_clients&) = delete;
  idle_clients& operator=(const idle_clients&) = delete;
  std::size_t connected() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

TEST_F(resource_faults, fd_growth_against_the_limit_then_exhaustion_floods_and_is_one_outage) {
  // The limit the twin inherits is the machine's (20000 here, 1024 or 1048576 elsewhere): pin it,
  // as a unit's LimitNOFILE= would, so growth and exhaustion mean the same on every machine.
  rlimit pinned{};
  ASSERT_EQ(::prlimit(twin_.ports().pid, RLIMIT_NOFILE, nullptr, &pinned), 0);
  pinned.rlim_cur = std::min<rlim_t>(pinned.rlim_max, 4096);
  ASSERT_EQ(::prlimit(twin_.ports().pid, RLIMIT_NOFILE, &pinned, nullptr), 0);
  const auto pinned_limit = static_cast<double>(pinned.rlim_cur);
  std::string last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_max_fds", target, [pinned_limit](auto v) { return equals(v, pinned_limit); },
      sample_timeout, &last))
      << last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_open_fds", target, [](auto v) { return v && *v > 0; }, sample_timeout, &last))
      << last;
  const double limit = gauge("meshwatch_target_max_fds");
  const double before = gauge("meshwatch_target_open_fds");
  ASSERT_GT(limit, before + 200) << "the fd hard limit is too low for this test";

  // Growth well below the limit: visible, and no incident yet.
  const long growth = std::min(1000L, static_cast<long>((limit - before) / 2));
  ASSERT_EQ(twin_.fault("fds", "count=" + std::to_string(growth)), 200);
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_open_fds", target,
      [before, growth](auto v) { return v && *v >= before + static_cast<double>(growth); }, sample_timeout,
      &last))
      << "before " << before << "\n"
      << last;
  EXPECT_LT(gauge("meshwatch_target_open_fds"), limit);
  EXPECT_EQ(metric_sum(twin_.scrape(), "meshwatch_incidents_total", target), 0);

  // Up to the limit: every accept now fails and mesh-rt retries at once, a log flood (F-34).
  // The fault fills every free slot, but connections that end afterwards (its own, a probe's)
  // free a few again; idle clients take those and hold them for the 30 s read timeout (F-25,
  // one of F-34's sources), so the table stays full.
  const double accept_errors_before =
      gauge("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "accept_error"}});
  ASSERT_EQ(twin_.fault("fds", "count=" + std::to_string(static_cast<long>(limit))), 200);
  idle_clients idle(twin_.ports().http, 50);
  ASSERT_EQ(idle.connected(), 50u);
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_open_fds", target, [limit](auto v) { return v && *v >= limit - 1; }, sample_timeout,
      &last))
      << last;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "accept_error"}},
      [&](auto v) { return v && *v > accept_errors_before + 100; }, event_timeout, &last))
      << last;

  // meshwatch keeps draining the flood: many pipe-fulls pass, the pipe never fills (a full pipe
  // would block mesh-rt's printing thread, F-38) and nothing is dropped.
  const double flood_start =
      gauge("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "accept_error"}});
  int max_queued = 0;
  int capacity = 0;
  auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    auto [queued, cap] = pipe_fill(twin_.ports().pid, STDERR_FILENO);
    max_queued = std::max(max_queued, queued);
    capacity = std::max(capacity, cap);
    std::this_thread::sleep_for(20ms);
  }
  const std::string line = "[mesh-rt] accept error: Too many open files (os error 24)\n";
  ASSERT_GT(capacity, 0) << "cannot inspect the twin's stderr pipe";
  const double flooded =
      gauge("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "accept_error"}}) - flood_start;
  EXPECT_GT(flooded * static_cast<double>(line.size()), 2.0 * capacity)
      << flooded << " accept errors in 10 s";
  EXPECT_LT(max_queued, capacity);
  EXPECT_EQ(metric_sum(twin_.scrape(), "meshwatch_console_dropped_bytes_total", target), 0);

  // Nothing is accepted any more: the probes time out together while the process lives.
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "endpoint_outage"}},
      [](auto v) { return equals(v, 1); }, event_timeout, &last))
      << last;
  EXPECT_EQ(metric_sum(last, "meshwatch_incidents_total", target), 1) << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", target), 1)) << last;
  auto doc = parse_json(twin_.status());
  auto outages = status_incidents(doc, "endpoint_outage");
  ASSERT_EQ(outages.size(), 1u) << twin_.status();
  stop_meshwatch();
  EXPECT_EQ(logged_incidents(twin_.dir() / "incidents.jsonl", "endpoint_outage"), 1);
  // The log has the full incident: the flood that explains the outage is attached.
  auto log = parse_json(slurp(twin_.dir() / "incidents.jsonl"));
  ASSERT_TRUE(log.IsObject() && log["console"].IsArray()) << slurp(twin_.dir() / "incidents.jsonl");
  bool accept_error_attached = false;
  for (const auto& c : log["console"].GetArray()) {
    accept_error_attached |= std::string(c["line"].GetString()).find("accept error") != std::string::npos;
  }
  EXPECT_TRUE(accept_error_attached) << slurp(twin_.dir() / "incidents.jsonl");
}

TEST_F(resource_faults, blocked_stdout_stops_the_stdout_heartbeats_and_is_one_stale_heartbeat) {
  std::string last;
  const std::map<std::string, std::string> load{{"target", "mesher"}, {"heartbeat", "load_monitor"}};
  const std::map<std::string, std::string> health{{"target", "mesher"}, {"heartbeat", "health_check"}};
  // Only a heartbeat seen in this process's life can go stale (before the first line its age
  // counts from the start and is young anyway): wait until both stdout lines were seen.
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& body) {
        auto d = parse_json(body);
        if (d.HasParseError() || !d.IsObject() || !d["targets"].IsArray() || d["targets"].Empty()) {
          return false;
        }
        const auto& beats = d["targets"][0]["console"]["heartbeats"];
        return beats.IsObject() && beats["load_monitor"]["seen"].GetBool() &&
               beats["health_check"]["seen"].GetBool();
      },
      event_timeout, &last))
      << last;
  const auto fast_path_failures = [this] {
    return metric_sum(twin_.scrape(), "meshwatch_probe_failures_total", {{"probe", "fast_path"}});
  };
  const double failures_before = fast_path_failures();
  // Through the pipe meshwatch drains, stdout is never full: the twin's fault makes its
  // writers wait as on a pipe nobody reads (F-38).
  auto [queued, capacity] = pipe_fill(twin_.ports().pid, STDOUT_FILENO);
  EXPECT_LT(queued, capacity);
  ASSERT_EQ(twin_.fault("stdout_block"), 200);

  // Both stdout heartbeats age past the D4 warning (20 s) …
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_heartbeat_age_seconds", load, [](auto v) { return v && *v > 20; }, 40s, &last))
      << last;
  EXPECT_GT(metric_value(last, "meshwatch_heartbeat_age_seconds", health).value_or(0), 10) << last;
  // … while the process lives and its accept loop answers the fast path (it prints nothing).
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_up", target), 1)) << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_probe_success", {{"probe", "fast_path"}}), 1)) << last;
  EXPECT_EQ(fast_path_failures(), failures_before);

  // Past the alert age (45 s): one heartbeat_stale incident, nothing else.
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "heartbeat_stale"}},
      [](auto v) { return equals(v, 1); }, 40s, &last))
      << last;
  EXPECT_EQ(metric_sum(last, "meshwatch_incidents_total", target), 1) << last;

  // Unblocked: the lines resume and the incident closes as resumed.
  ASSERT_EQ(twin_.fault("clear"), 200);
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& body) {
        auto d = parse_json(body);
        auto stale = status_incidents(d, "heartbeat_stale");
        return stale.size() == 1 && (*stale[0]).HasMember("close_reason") &&
               (*stale[0])["close_reason"].IsString() &&
               std::string((*stale[0])["close_reason"].GetString()) == "heartbeat_resumed";
      },
      event_timeout, &last))
      << last;
  EXPECT_EQ(metric_sum(twin_.scrape(), "meshwatch_incidents_total", target), 1);
  stop_meshwatch();
  EXPECT_EQ(logged_incidents(twin_.dir() / "incidents.jsonl", "heartbeat_stale"), 1);
}

}  // namespace
}  // namespace meshwatch::test

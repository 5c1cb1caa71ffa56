// Console behaviour (API.md §1.4/§1.5, RUNTIME.md §3/§4): start-up order and streams,
// readiness only after bind, DB-unreachable exit 0, bind failure, heartbeat intervals.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "tests/integration/twin/twin_harness.hpp"

namespace meshwatch::twin_test {
namespace {

const std::vector<std::string> expected_stdout = {
    "[Mesher] Connecting to PostgreSQL...",
    "[Mesher] Running in standalone mode (no distribution)",
    "[Mesher] Partitions created (7 days ahead)",
    "[Mesher] OrgService started",
    "[Mesher] ProjectService started",
    "[Mesher] UserService started",
    "[Mesher] StreamManager started",
    "[Mesher] StreamManager drain ticker started (250ms interval)",
    "[Mesher] RateLimiter started (60s window, 1000 max)",
    "[Mesher] EventProcessor started",
    "[Mesher] StorageWriter started (default project)",
    "[Mesher] Running in standalone mode (skipping global registration)",
    "[Mesher] PipelineRegistry started and registered",
    "[Mesher] Health checker started (10s interval)",
    "[Mesher] Spike checker started (5 min interval)",
    "[Mesher] Alert evaluator started (30s interval)",
    "[Mesher] Retention cleaner started (24h interval)",
    "[Mesher] Load monitor started (5s interval, threshold: 100 events)",
    "[Mesher] Foundation ready",
};

TEST(TwinConsole, StartupLinesInOrderOnTheirStreams) {
  twin_process twin;
  // Start-up waits for the stderr listening lines; stdout is another pipe, read by another
  // thread, so its last lines may still be on their way.
  ASSERT_TRUE(twin.proc().wait_for_line(test::stream::out, "[Mesher] HTTP server starting on :0", 5s))
      << twin.proc().console();
  auto out = twin.proc().lines(test::stream::out);
  ASSERT_GE(out.size(), expected_stdout.size() + 2) << twin.proc().console();
  for (std::size_t i = 0; i < expected_stdout.size(); ++i) EXPECT_EQ(out[i], expected_stdout[i]);
  // Port 0 is echoed raw in the "starting" lines; the listening lines carry the bound port.
  EXPECT_EQ(out[expected_stdout.size()], "[Mesher] WebSocket server starting on :0");
  EXPECT_EQ(out[expected_stdout.size() + 1], "[Mesher] HTTP server starting on :0");
  auto err = twin.proc().lines(test::stream::err);
  ASSERT_EQ(err.size(), 2u) << twin.proc().console();
  EXPECT_EQ(err[0], "[mesh-rt] WebSocket server listening on 0.0.0.0:" + std::to_string(twin.ws_port()));
  EXPECT_EQ(err[1], "[mesh-rt] HTTP server listening on 0.0.0.0:" + std::to_string(twin.http_port()));
  // Ready means bound: the fast path answers right away.
  auto r = twin.get("/__meshwatch");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(TwinConsole, NonIntegerPortIsEchoedRaw) {
  // Falls back to 8081 (may be busy on this machine: then the WS failure line, which is fine).
  twin_process twin({.env = {{"MESHER_WS_PORT", "abc"}}});
  EXPECT_TRUE(twin.proc().wait_for_line(test::stream::out, "[Mesher] WebSocket server starting on :abc", 1s));
  EXPECT_TRUE(twin.proc().wait_for_line(
      test::stream::err,
      [](const std::string& l) {
        return l == "[mesh-rt] WebSocket server listening on 0.0.0.0:8081" ||
               l.rfind("[mesh-rt] Failed to start WebSocket server on 0.0.0.0:8081: ", 0) == 0;
      },
      1s));
}

TEST(TwinConsole, DatabaseUnreachableExitsZeroAfterOneLine) {
  twin_process twin(
      {.env = {{"MESHER_TWIN_DSN", "postgres://mesh:mesh@127.0.0.1:1/mesher"}}, .wait_ready = false});
  auto status = twin.proc().wait_exit(20s);
  ASSERT_TRUE(status) << twin.proc().console();
  EXPECT_FALSE(status->signaled);
  EXPECT_EQ(status->code, 0);
  auto out = twin.proc().lines(test::stream::out);
  EXPECT_EQ(out, (std::vector<std::string>{"[Mesher] Connecting to PostgreSQL...",
                                           "[Mesher] Failed to connect to PostgreSQL"}));
  EXPECT_TRUE(twin.proc().lines(test::stream::err).empty());
}

TEST(TwinConsole, HttpBindFailureKeepsProcessAliveWithHeartbeats) {
  int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(blocker, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(blocker, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(blocker, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));

  twin_process twin(
      {.env = {{"MESHER_HTTP_PORT", port}, {"MESHER_TWIN_INTERVALS", "load=200ms"}}, .wait_ready = false});
  auto failed = twin.proc().wait_for_line(test::stream::err, "[mesh-rt] Failed to start HTTP server", 20s);
  ASSERT_TRUE(failed) << twin.proc().console();
  EXPECT_EQ(*failed, "[mesh-rt] Failed to start HTTP server on 0.0.0.0:" + port +
                         ": Address already in use (os error 98)");
  EXPECT_TRUE(
      twin.proc().wait_for_line(test::stream::out, "[Mesher] Load monitor: 0 events/5s, 0 peers", 5s));
  EXPECT_FALSE(twin.proc().wait_exit(0ms));
  ::close(blocker);
}

TEST(TwinConsole, HeartbeatsAtConfiguredIntervals) {
  auto start = std::chrono::steady_clock::now();
  twin_process twin({.env = {{"MESHER_TWIN_INTERVALS", "load=150ms,health=300ms,alert=450ms"}}});
  // One pass over stdout as lines arrive, so the three timers are observed side by side.
  using clock = std::chrono::steady_clock;
  std::vector<clock::time_point> load, health, alert;
  twin.proc().wait_for_line(
      test::stream::out,
      [&](const std::string& l) {
        if (l.find("[Mesher] Load monitor: ") == 0) load.push_back(clock::now());
        if (l == "[Mesher] Health check: all services responsive") health.push_back(clock::now());
        if (l == "[Mesher] Alert evaluator: checked rules, 0 fired") alert.push_back(clock::now());
        return load.size() >= 10 && health.size() >= 5 && alert.size() >= 4;
      },
      10s);
  ASSERT_GE(load.size(), 10u) << twin.proc().console();
  ASSERT_GE(health.size(), 5u) << twin.proc().console();
  ASSERT_GE(alert.size(), 4u) << twin.proc().console();
  auto per_interval = [](const auto& t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.back() - t.front()).count() /
           static_cast<long>(t.size() - 1);
  };
  // Wide bounds: the test observes lines through a pipe on a shared 2-core machine.
  EXPECT_NEAR(per_interval(load), 150, 60);
  EXPECT_NEAR(per_interval(health), 300, 90);
  EXPECT_NEAR(per_interval(alert), 450, 120);
  // Sleep first: nothing before one interval has passed since start.
  EXPECT_GE(load.front() - start, 150ms);
  for (const auto& l : twin.proc().lines(test::stream::out)) {
    if (l.find("Load monitor: ") != std::string::npos) {
      EXPECT_EQ(l, "[Mesher] Load monitor: 0 events/5s, 0 peers");
    }
  }
}

TEST(TwinConsole, LoadMonitorCountsIngestionRequestsBeforeAuth) {
  twin_process twin({.env = {{"MESHER_TWIN_INTERVALS", "load=300ms"}}});
  auto before = twin.proc().lines(test::stream::out).size();
  for (int i = 0; i < 3; ++i) {
    auto r = twin.call("POST", "/api/v1/events", "{}", {{"x-sentry-auth", "mshr_invalid_probe"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto r = twin.call("POST", "/api/v1/events/bulk", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // Lines printed before the requests carry 0; sum the counts of every line after them.
  long total = 0;
  std::size_t index = 0;
  twin.proc().wait_for_line(
      test::stream::out,
      [&](const std::string& l) {
        auto at = l.find("Load monitor: ");
        if (index++ >= before && at != std::string::npos) total += std::stol(l.substr(at + 14));
        return total >= 4;
      },
      5s);
  EXPECT_EQ(total, 4) << twin.proc().console();
}

TEST(TwinConsole, SpikeCheckerEscalatesBusyArchivedIssues) {
  twin_process twin({.env = {{"MESHER_TWIN_INTERVALS", "spike=200ms"}}});
  auto t = seed_tenant();
  ASSERT_TRUE(
      database()
          .query(
              "INSERT INTO events (project_id, issue_id, level, message, fingerprint) "
              "SELECT $1::uuid, $2::uuid, 'error', 'spike', 'synthetic:probe-b' FROM generate_series(1, 11)",
              {t.project, t.issue_b})
          .ok());
  ASSERT_TRUE(
      database().query("UPDATE issues SET status = 'archived' WHERE id = $1::uuid", {t.issue_b}).ok());
  auto line = twin.proc().wait_for_line(
      test::stream::out,
      [](const std::string& l) {
        return std::regex_match(l, std::regex(R"(\[Mesher\] Spike checker: escalated \d+ archived issues)"));
      },
      5s);
  EXPECT_TRUE(line) << twin.proc().console();
  EXPECT_EQ(database().query("SELECT status FROM issues WHERE id = $1::uuid", {t.issue_b}).text(0, 0),
            "unresolved");
}

TEST(TwinConsole, RetentionCleanerDeletesExpiredEventsAndPartitions) {
  twin_process twin;  // creates the schema
  auto t = seed_tenant();
  // Partitions for an old day (to hold an expired event) and one older than 90 days.
  ASSERT_TRUE(database()
                  .script("BEGIN; SELECT pg_advisory_xact_lock(727274001);"
                          "DO $$ DECLARE d date; BEGIN FOREACH d IN ARRAY ARRAY[current_date - 3, "
                          "current_date - 120] LOOP "
                          "EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM "
                          "(%L) TO (%L)', "
                          "'events_' || to_char(d, 'YYYYMMDD'), d, d + 1); END LOOP; END $$; COMMIT;")
                  .ok());
  ASSERT_TRUE(
      database().query("UPDATE projects SET retention_days = 1 WHERE id = $1::uuid", {t.project}).ok());
  ASSERT_TRUE(
      database()
          .query("INSERT INTO events (project_id, issue_id, level, message, fingerprint, received_at) VALUES "
                 "($1::uuid, $2::uuid, 'error', 'old', 'synthetic:probe-a', (current_date - 3) + interval "
                 "'12 hours')",
                 {t.project, t.issue_a})
          .ok());
  auto old_partition =
      database().query("SELECT 'events_' || to_char(current_date - 120, 'YYYYMMDD')").text(0, 0);

  twin_process cleaner({.env = {{"MESHER_TWIN_INTERVALS", "retention=300ms"}}});
  EXPECT_TRUE(cleaner.proc().wait_for_line(
      test::stream::out,
      [](const std::string& l) {
        return std::regex_match(
            l, std::regex(R"(\[Mesher\] Retention cleanup: deleted [1-9]\d* expired events)"));
      },
      5s))
      << cleaner.proc().console();
  EXPECT_TRUE(cleaner.proc().wait_for_line(test::stream::out,
                                           "[Mesher] Dropped expired partition: " + old_partition, 5s));
  EXPECT_EQ(database()
                .query("SELECT count(*)::text FROM events WHERE project_id = $1::uuid AND message = 'old'",
                       {t.project})
                .text(0, 0),
            "0");
}

}  // namespace
}  // namespace meshwatch::twin_test

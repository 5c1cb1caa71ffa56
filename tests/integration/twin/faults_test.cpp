// Every control-port fault, checked by what an outside observer sees (FAILURES.md).
#include <dirent.h>
#include <rapidjson/document.h>

#include <csignal>
#include <fstream>

#include "tests/integration/twin/conformance.hpp"
#include "tests/integration/twin/ws_probe.hpp"

namespace meshwatch::twin_test {
namespace {

const std::string health_route = "/api/v1/projects/:project_id/dashboard/health";

class Faults : public ::testing::Test {
 protected:
  twin_process twin{twin_config{.env = {{"MESHER_TWIN_INTERVALS", "load=100ms,health=200ms,alert=300ms"}}}};
  tenant t = seed_tenant();
  std::string health = "/api/v1/projects/" + t.project + "/dashboard/health";

  // Waits for one more stdout line containing `needle` beyond those already captured.
  bool new_line(const std::string& needle, std::chrono::milliseconds timeout) {
    std::size_t already = 0;
    for (const auto& l : twin.proc().lines(test::stream::out)) already += l.find(needle) != std::string::npos;
    std::size_t seen = 0;
    return twin.proc()
        .wait_for_line(
            test::stream::out,
            [&](const std::string& l) { return l.find(needle) != std::string::npos && ++seen > already; },
            timeout)
        .has_value();
  }
  long proc_status_kb(const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(twin.proc().pid()) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    }
    return -1;
  }
  std::size_t open_fds() {
    std::size_t n = 0;
    DIR* d = ::opendir(("/proc/" + std::to_string(twin.proc().pid()) + "/fd").c_str());
    if (d == nullptr) return 0;
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
    return n;
  }
};

TEST_F(Faults, SegvKillsSilently) {
  auto err_before = twin.proc().lines(test::stream::err).size();
  EXPECT_EQ(twin.control("/fault/segv"), 200);
  auto status = twin.proc().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGSEGV);
  EXPECT_EQ(twin.proc().lines(test::stream::err).size(), err_before);
}

TEST_F(Faults, SegvOnRouteAnswersThenDies) {
  EXPECT_EQ(twin.control("/fault/segv?route=/api/v1/events"), 200);
  EXPECT_REPLY(twin.call("POST", "/api/v1/events", "{}", {{"x-sentry-auth", "nope"}}), 401,
               "{\"error\":\"unauthorized\"}");
  auto status = twin.proc().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGSEGV);
}

TEST_F(Faults, PanicPrintsTheAbortBlockAndDiesWithSigabrt) {
  EXPECT_EQ(twin.control("/fault/panic?route=" + health_route), 200);
  EXPECT_FALSE(twin.get(health)) << "the in-flight request gets no response";
  auto status = twin.proc().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGABRT);
  auto err = twin.proc().lines(test::stream::err);
  std::vector<std::string> tail(err.begin() + 2, err.end());
  ASSERT_GE(tail.size(), 9u) << twin.proc().console();
  std::regex header(R"(^thread '<unnamed>' \(\d+\) panicked at (.*):(\d+):(\d+):$)");
  EXPECT_EQ(tail[0], "");
  EXPECT_TRUE(std::regex_match(tail[1], header)) << tail[1];
  EXPECT_TRUE(contains(tail[1], "crates/mesh-rt/src/panic.rs:33:9:"));
  EXPECT_EQ(tail[2], "Mesh panic at <unknown>:0: non-exhaustive match in switch");
  EXPECT_EQ(tail[3], "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace");
  EXPECT_EQ(tail[4], "");
  EXPECT_TRUE(std::regex_match(tail[5], header)) << tail[5];
  EXPECT_EQ(tail[6], "panic in a function that cannot unwind");
  EXPECT_EQ(tail[7], "stack backtrace:");
  EXPECT_EQ(tail.back(), "thread caused non-unwinding panic. aborting.");
}

TEST_F(Faults, ImmediatePanicWithCustomMessage) {
  EXPECT_EQ(twin.control("/fault/panic?message=mesh_list_get%3A%20index%203%20out%20of%20bounds%20(len%203)"),
            200);
  auto status = twin.proc().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGABRT);
  EXPECT_TRUE(twin.proc().wait_for_line(
      test::stream::err,
      [](const std::string& l) { return l == "mesh_list_get: index 3 out of bounds (len 3)"; }, 1s));
}

TEST_F(Faults, HandlerPanicClosesWithoutResponseAndLives) {
  EXPECT_EQ(twin.control("/fault/handler_panic?route=" + health_route), 200);
  auto raw = twin.raw("GET " + health + " HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "");
  EXPECT_TRUE(
      twin.proc().wait_for_line(test::stream::err, "[mesh-rt] HTTP handler panicked: Any { .. }", 2s));
  auto err = twin.proc().lines(test::stream::err);
  EXPECT_TRUE(std::any_of(err.begin(), err.end(), [](const std::string& l) {
    return std::regex_match(l, std::regex(R"(^thread '<unnamed>' \(\d+\) panicked at .*:\d+:\d+:$)"));
  }));
  EXPECT_TRUE(std::find(err.begin(), err.end(), "capacity overflow") != err.end());
  EXPECT_FALSE(twin.proc().wait_exit(0ms));
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.project + "/storage"), 200,
               "{\"event_count\":3,\"estimated_bytes\":3072}");
}

TEST_F(Faults, Exit0PrintsTheDatabaseLineAndExitsZero) {
  EXPECT_EQ(twin.control("/fault/exit0"), 200);
  auto status = twin.proc().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->signaled);
  EXPECT_EQ(status->code, 0);
  EXPECT_EQ(twin.proc().lines(test::stream::out).back(), "[Mesher] Failed to connect to PostgreSQL");
}

TEST_F(Faults, BatchDropPrintsTheStorageWriterLineOnStdout) {
  EXPECT_EQ(twin.control("/fault/batch_drop?count=2&events=50"), 200);
  const std::string line = "[StorageWriter] Dropping batch of 50 events for project default after 3 retries";
  std::size_t seen = 0;
  EXPECT_TRUE(twin.proc()
                  .wait_for_line(
                      test::stream::out, [&](const std::string& l) { return l == line && ++seen == 2; }, 2s)
                  .has_value());
  EXPECT_EQ(twin.control("/fault/batch_drop?count=x"), 400);
  for (const auto& l : twin.proc().lines(test::stream::err))
    EXPECT_EQ(l.find("Dropping batch"), std::string::npos);
  EXPECT_REPLY(twin.get(health), 200, "{\"unresolved_count\":2,\"events_24h\":3,\"new_today\":2}");
}

TEST_F(Faults, HangHoldsOnlyItsRouteUntilCleared) {
  EXPECT_EQ(twin.control("/fault/hang?route=" + health_route), 200);
  EXPECT_FALSE(twin.call("GET", health, {}, {}, 700ms)) << "hung until the client gives up";
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.project + "/storage"), 200,
               "{\"event_count\":3,\"estimated_bytes\":3072}");
  EXPECT_REPLY(twin.get("/__meshwatch"), 404, "Not Found");
  EXPECT_TRUE(new_line("[Mesher] Load monitor:", 2s));
  auto listed = twin.control_get("/faults");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->body, "[{\"name\":\"hang\",\"route\":\"" + health_route + "\"}]");
  EXPECT_EQ(twin.control("/fault/clear"), 200);
  EXPECT_REPLY(twin.get(health), 200, "{\"unresolved_count\":2,\"events_24h\":3,\"new_today\":2}");
  EXPECT_REPLY(twin.control_get("/faults"), 200, "[]");
}

TEST_F(Faults, HangOnAllRoutesLeavesTheFastPath) {
  EXPECT_EQ(twin.control("/fault/hang"), 200);
  EXPECT_FALSE(twin.call("GET", health, {}, {}, 500ms));
  EXPECT_FALSE(twin.call("POST", "/api/v1/events", "{}", {}, 500ms));
  EXPECT_REPLY(twin.get("/__meshwatch"), 404, "Not Found");
}

TEST_F(Faults, SlowDelaysTheAnswer) {
  EXPECT_EQ(twin.control("/fault/slow?ms=400&route=" + health_route), 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_REPLY(twin.get(health), 200, "{\"unresolved_count\":2,\"events_24h\":3,\"new_today\":2}");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST_F(Faults, StatusAnswers500WithADatabaseErrorBody) {
  EXPECT_EQ(twin.control("/fault/status?route=" + health_route), 200);
  EXPECT_REPLY(twin.get(health), 500,
               "{\"error\":\"pool connect: connection failed: Connection refused (os error 111)\"}");
  EXPECT_EQ(
      twin.control("/fault/status?route=" + health_route +
                   "&message=57P01%09%09%09%09terminating%20connection%20due%20to%20administrator%20command"),
      200);
}

TEST_F(Faults, BadjsonMakesTheBodyInvalid) {
  EXPECT_EQ(twin.control("/fault/badjson?route=/api/v1/projects/:project_id/issues"), 200);
  auto r = twin.get("/api/v1/projects/" + t.project + "/issues");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  rapidjson::Document doc;
  doc.Parse(r->body.c_str());
  EXPECT_TRUE(doc.HasParseError()) << r->body;
}

TEST_F(Faults, ShapeDropsAKey) {
  EXPECT_EQ(twin.control("/fault/shape?route=" + health_route), 200);
  EXPECT_REPLY(twin.get(health), 200, "{\"events_24h\":3,\"new_today\":2}");
  EXPECT_EQ(twin.control("/fault/clear"), 200);
  EXPECT_EQ(twin.control("/fault/shape?key=level"), 200);
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.project + "/dashboard/levels"), 200, "[{\"count\":3}]");
}

TEST_F(Faults, HeartbeatStopSilencesEveryTimerUntilCleared) {
  ASSERT_TRUE(new_line("[Mesher] Load monitor:", 2s));
  EXPECT_EQ(twin.control("/fault/heartbeat_stop"), 200);
  new_line("[Mesher] Load monitor:", 300ms);  // at most one tick was already under way
  EXPECT_FALSE(new_line("[Mesher] Load monitor:", 700ms));
  EXPECT_FALSE(new_line("[Mesher] Health check:", 10ms));
  EXPECT_REPLY(twin.get(health), 200, "{\"unresolved_count\":2,\"events_24h\":3,\"new_today\":2}");
  EXPECT_EQ(twin.control("/fault/clear"), 200);
  EXPECT_TRUE(new_line("[Mesher] Health check: all services responsive", 2s));
}

TEST_F(Faults, StdoutBlockStallsStdoutOnly) {
  EXPECT_EQ(twin.control("/fault/stdout_block"), 200);
  new_line("[Mesher] ", 300ms);  // a line already being written may still land
  EXPECT_FALSE(new_line("[Mesher] ", 700ms));
  // stderr and HTTP are unaffected.
  twin.raw_half_close("");
  EXPECT_TRUE(twin.proc().wait_for_line(test::stream::err,
                                        "[mesh-rt] HTTP parse error: malformed request line: ", 2s));
  EXPECT_REPLY(twin.get("/__meshwatch"), 404, "Not Found");
  EXPECT_EQ(twin.control("/fault/clear"), 200);
  EXPECT_TRUE(new_line("[Mesher] Load monitor:", 2s));
}

TEST_F(Faults, WsRejectAll) {
  EXPECT_EQ(twin.control("/fault/ws_reject_all"), 200);
  ws_probe stream(twin.ws_port(), "/stream/projects/" + t.project);
  ASSERT_TRUE(stream.open());
  EXPECT_EQ(stream.read(), std::nullopt);
  EXPECT_EQ(stream.close_code(), 1008);
  EXPECT_EQ(twin.control("/fault/ws_no_pong"), 200);
  EXPECT_REPLY(twin.control_get("/faults"), 200, "[{\"name\":\"ws_reject_all\"},{\"name\":\"ws_no_pong\"}]");
}

TEST_F(Faults, LeakGrowsResidentMemory) {
  long before = proc_status_kb("VmRSS");
  EXPECT_EQ(twin.control("/fault/leak?bytes_per_sec=100000000&max_bytes=60000000"), 200);
  long grown = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    grown = proc_status_kb("VmRSS") - before;
    if (grown > 40'000) break;
    std::this_thread::sleep_for(50ms);  // sampling interval of /proc, as a monitor would
  }
  EXPECT_GT(grown, 40'000);
}

TEST_F(Faults, FdsAreOpenedAndHeld) {
  auto before = open_fds();
  EXPECT_EQ(twin.control("/fault/fds?count=300"), 200);
  EXPECT_GE(open_fds(), before + 300);
  EXPECT_REPLY(twin.control_get("/faults"), 200, "[{\"name\":\"fds\",\"count\":300}]");
  EXPECT_EQ(twin.control("/fault/clear"), 200);
  EXPECT_LT(open_fds(), before + 10);
}

TEST_F(Faults, UnknownFaultIs404) { EXPECT_EQ(twin.control("/fault/nonsense"), 404); }

}  // namespace
}  // namespace meshwatch::twin_test

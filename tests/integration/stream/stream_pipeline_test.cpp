// Pipelines match their pushes on the target's long-lived stream subscriber: the push a POST
// caused is found with its latency, a proved push that never comes is a silent drop, and a
// subscriber that is down fails the pipeline at once as ws_closed.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>

#include "daemon/db/db_worker.hpp"
#include "daemon/db_probes.hpp"
#include "tests/integration/stream/stream_loop.hpp"
#include "tests/integration/stream/stream_test_support.hpp"
#include "tests/integration/twin/twin_harness.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

json_expectation equals(std::string pointer, std::string value) {
  return {std::move(pointer), json_matcher{json_equals{text_template::literal(std::move(value))}}};
}

// accepted (POST event) → db_visible (its issue row) → ws_pushed (the event push), as in the
// default catalogue's ingest_pipeline.
probe_config ingest_pipeline(const twin_test::tenant& tenant, const std::string& fingerprint,
                             const std::string& pushed_fingerprint, std::chrono::milliseconds wait) {
  pipeline_step accepted;
  accepted.name = "accepted";
  meshwatch::http_request post;
  post.method = "POST";
  post.path = text_template::literal("/api/v1/events");
  post.headers = {{"x-sentry-auth", text_template::literal(tenant.key)}};
  post.body =
      text_template::literal(R"({"message":"stream pipeline test","fingerprint":")" + fingerprint + "\"}");
  accepted.action = post;
  accepted.expect.status = {202};

  pipeline_step visible;
  visible.name = "db_visible";
  pg_query_step query;
  query.sql = "SELECT id::text AS issue_id FROM issues WHERE project_id = $1::uuid AND fingerprint = $2";
  query.params = {text_template::literal(tenant.project), text_template::literal(fingerprint)};
  visible.action = query;
  visible.within = 8s;

  pipeline_step pushed;
  pushed.name = "ws_pushed";
  pushed.action = ws_wait_step{{equals("/type", "event"), equals("/data/fingerprint", pushed_fingerprint)}};
  pushed.within = wait;

  probe_config probe;
  probe.name = "ingest_pipeline";
  probe.interval = 1min;
  probe.timeout = 15s;
  probe.kind = pipeline_probe{{accepted, visible, pushed}};
  return probe;
}

class stream_pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    tenant_ = twin_test::seed_tenant();
    database_config db;
    db.dsn = postgres_dsn();
    worker_ = std::make_unique<db_worker>(db);
  }
  void TearDown() override { worker_->stop(); }

  probe_target target(unsigned short ws_port) const {
    auto loopback = boost::asio::ip::make_address("127.0.0.1");
    probe_target t;
    t.name = "t";
    t.http = {{loopback, twin_.http_port()}, "127.0.0.1:" + std::to_string(twin_.http_port())};
    t.ws = probe_endpoint{{loopback, ws_port}, "127.0.0.1:" + std::to_string(ws_port)};
    return t;
  }

  probe_result run(const probe_config& probe, unsigned short ws_port) {
    auto result = boost::asio::co_spawn(
        loop_.io(), run_pipeline_probe(worker_.get(), &loop_.monitor(), probe, target(ws_port), {}),
        boost::asio::use_future);
    return result.get();
  }

  twin_test::twin_process twin_{{.mode = "fixed"}};
  twin_test::tenant tenant_;
  stream_loop loop_;
  std::unique_ptr<db_worker> worker_;
};

TEST_F(stream_pipeline, the_push_a_post_caused_is_matched_with_its_latency) {
  auto& monitor = loop_.start_monitor(twin_.ws_port(), tenant_.project);
  ASSERT_TRUE(loop_.wait_until([&] { return monitor.connected(); }, 10s)) << loop_.status().last_error;
  auto probe = ingest_pipeline(tenant_, "stream-pipeline-ok", "stream-pipeline-ok", 3s);
  for (int run_number = 1; run_number <= 2; ++run_number) {
    auto r = run(probe, twin_.ws_port());
    ASSERT_TRUE(r.passed) << r.detail;
    ASSERT_EQ(r.stages.size(), 3u);
    EXPECT_EQ(r.stages[2].first, "ws_pushed");
    // Each run waits for the push of its own request, not the one of the run before.
    EXPECT_EQ(loop_.metric("meshwatch_stream_push_latency_seconds_count"), run_number);
    auto latency = loop_.status().last_push_latency_seconds;
    ASSERT_TRUE(latency);
    EXPECT_GT(*latency, 0);
    EXPECT_LT(*latency, std::chrono::duration<double>(r.duration).count());
    std::cout << "[measured] run " << run_number << ": push latency " << *latency * 1000 << " ms, pipeline "
              << std::chrono::duration<double, std::milli>(r.duration).count() << " ms\n";
  }
  EXPECT_EQ(loop_.metric("meshwatch_stream_silent_drops_total"), 0);
}

TEST_F(stream_pipeline, a_proved_push_that_never_arrives_is_a_silent_drop) {
  auto& monitor = loop_.start_monitor(twin_.ws_port(), tenant_.project);
  ASSERT_TRUE(loop_.wait_until([&] { return monitor.connected(); }, 10s)) << loop_.status().last_error;
  // Accepted and stored for real, but the step waits for a push nobody sends.
  auto probe = ingest_pipeline(tenant_, "stream-pipeline-drop", "never-pushed", 500ms);
  auto r = run(probe, twin_.ws_port());
  ASSERT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::pipeline_stalled) << r.detail;
  EXPECT_NE(r.detail.find("silent drop"), std::string::npos) << r.detail;
  EXPECT_EQ(loop_.metric("meshwatch_stream_silent_drops_total"), 1);
  EXPECT_EQ(loop_.status().silent_drops, 1u);
}

TEST_F(stream_pipeline, a_subscriber_that_is_down_fails_the_pipeline_at_once_as_ws_closed) {
  const auto nothing_there = free_port();
  stream_monitor_options options;
  options.backoff = {5s, 5s, 0.0};  // stays down for the whole test after the first attempt
  auto& monitor = loop_.start_monitor(nothing_there, tenant_.project, options);
  ASSERT_TRUE(loop_.wait_until([&] { return monitor.status().reconnects >= 1; }, 5s));
  auto probe = ingest_pipeline(tenant_, "stream-pipeline-down", "stream-pipeline-down", 3s);
  auto began = std::chrono::steady_clock::now();
  auto r = run(probe, nothing_there);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);  // no hanging until the timeout
  ASSERT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::ws_closed) << r.detail;
  EXPECT_NE(r.detail.find("connect_failed"), std::string::npos) << r.detail;
  EXPECT_TRUE(r.stages.empty());  // no request was sent whose push nobody could see
}

}  // namespace
}  // namespace meshwatch::test

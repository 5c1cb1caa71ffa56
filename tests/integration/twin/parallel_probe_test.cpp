// FAILURES.md D7 against the twin: the `parallel: 4` deep probe sends its four requests at
// once (the twin, like Mesher, serves each connection on its own worker), so a 400 ms `slow`
// fault costs the run 400 ms, not the 1.6 s of four requests in a row.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>

#include "probes/parallel_http.hpp"
#include "tests/integration/twin/twin_harness.hpp"

namespace meshwatch::twin_test {
namespace {

namespace asio = boost::asio;
const std::string health_route = "/api/v1/projects/:project_id/dashboard/health";

probe_result run_concurrent_health(twin_process& twin, const tenant& t) {
  probe_config p;
  p.name = "dashboard_health_concurrent";
  p.interval = 10s;
  p.timeout = 3s;
  p.parallel = 4;
  http_request request;
  request.path = text_template::literal("/api/v1/projects/" + t.project + "/dashboard/health");
  p.kind = request;
  p.expect.status = {200};
  p.expect.json = {{"/unresolved_count", json_type::number},
                   {"/events_24h", json_type::number},
                   {"/new_today", json_type::number}};
  probe_target target;
  target.name = "twin";
  target.http.address = {asio::ip::make_address("127.0.0.1"), twin.http_port()};
  target.http.host_header = "127.0.0.1:" + std::to_string(twin.http_port());

  asio::io_context io;
  auto future = asio::co_spawn(io, run_parallel_http_probe(target, p, {}), asio::use_future);
  io.run();
  return future.get();
}

TEST(ParallelProbe, FourSlowRequestsOverlapOnTheTwin) {
  twin_process twin;
  const tenant t = seed_tenant();
  ASSERT_EQ(twin.control("/fault/slow?ms=400&route=" + health_route), 200);
  const probe_result r = run_concurrent_health(twin, t);
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_GE(r.duration, 400ms);
  // In a row they would take 1.6 s; the bound leaves room for a loaded machine.
  EXPECT_LT(r.duration, 1200ms);
  std::cout << "[measured] 4 parallel requests with a 400 ms slow fault: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(r.duration).count() << " ms\n";
}

TEST(ParallelProbe, ADatabaseErrorFailsTheRunWithItsStatus) {
  twin_process twin;
  const tenant t = seed_tenant();
  ASSERT_EQ(twin.control("/fault/status?route=" + health_route), 200);
  const probe_result r = run_concurrent_health(twin, t);
  EXPECT_FALSE(r.passed);
  ASSERT_TRUE(r.reason.has_value());
  EXPECT_EQ(*r.reason, failure_reason::http_status) << r.detail;
  EXPECT_EQ(r.http_status, 500);
  EXPECT_TRUE(r.detail.starts_with("4 of 4 failed, first request ")) << r.detail;
}

}  // namespace
}  // namespace meshwatch::twin_test

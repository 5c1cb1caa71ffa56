// run_parallel_http_probe against a gate server that answers only once N requests are open at
// the same time: the N requests really overlap, one failure fails the run with its reason, the
// slowest request is the run's latency, and one timeout bounds the whole run.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "probes/parallel_http.hpp"
#include "tests/integration/probes/gate_server.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using test::gate_reply;
using test::gate_server;
namespace asio = boost::asio;

const std::string health_200 =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 22\r\nConnection: close\r\n\r\n"
    "{\"unresolved_count\":0}";
const std::string db_error_500 =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 16\r\n"
    "Connection: close\r\n\r\n{\"error\":\"pool\"}";

probe_config concurrent_probe(int parallel, std::chrono::milliseconds timeout) {
  probe_config p;
  p.name = "dashboard_health_concurrent";
  p.interval = 10s;
  p.timeout = timeout;
  p.parallel = parallel;
  http_request request;
  request.path = text_template::literal("/api/v1/projects/p/dashboard/health");
  p.kind = request;
  p.expect.status = {200};
  p.expect.json = {{"/unresolved_count", json_type::number}};
  return p;
}

probe_result run(const gate_server& server, const probe_config& probe) {
  asio::io_context io;
  probe_target target;
  target.name = "mesher";
  target.http.address = {asio::ip::make_address("127.0.0.1"), server.port()};
  target.http.host_header = "127.0.0.1:" + std::to_string(server.port());
  auto future = asio::co_spawn(io, run_parallel_http_probe(target, probe, {}), asio::use_future);
  io.run();
  return future.get();
}

TEST(parallel_http, the_requests_are_open_at_the_same_time) {
  // Sequential requests would leave the first one held until the 3 s hold limit, past the
  // 2 s timeout: the run can only pass if all four were open at once.
  gate_server server(4, [](std::size_t) { return gate_reply{health_200}; });
  const probe_result r = run(server, concurrent_probe(4, 2s));
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_EQ(server.requests(), 4u);
  EXPECT_EQ(server.max_open(), 4u);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.kind, probe_kind_name::http);
  EXPECT_EQ(r.route, "/api/v1/projects/p/dashboard/health");
  EXPECT_TRUE(r.shape.has_value());
  EXPECT_LT(r.duration, 2s);
}

TEST(parallel_http, the_gate_holds_fewer_requests_than_it_waits_for) {
  // The instrument itself: three open requests do not open a gate of four, so a run that
  // passes above cannot have sent its requests in smaller batches.
  gate_server server(4, [](std::size_t) { return gate_reply{health_200}; });
  const probe_result r = run(server, concurrent_probe(3, 300ms));
  EXPECT_FALSE(r.passed);
  ASSERT_TRUE(r.reason.has_value());
  EXPECT_EQ(*r.reason, failure_reason::timeout) << r.detail;
  EXPECT_EQ(server.max_open(), 3u);
}

TEST(parallel_http, one_failing_request_fails_the_run_with_its_reason) {
  gate_server server(4, [](std::size_t i) { return gate_reply{i == 2 ? db_error_500 : health_200}; });
  const probe_result r = run(server, concurrent_probe(4, 2s));
  EXPECT_FALSE(r.passed);
  ASSERT_TRUE(r.reason.has_value());
  EXPECT_EQ(*r.reason, failure_reason::http_status);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_TRUE(r.detail.starts_with("1 of 4 failed (request ")) << r.detail;
  EXPECT_NE(r.detail.find("500"), std::string::npos) << r.detail;
  EXPECT_EQ(server.max_open(), 4u);
}

TEST(parallel_http, the_reason_is_the_first_failure_in_time) {
  // Request order 0 answers 500 at once; the others are cut off later: the 500 came first.
  gate_server server(3, [](std::size_t i) {
    return i == 0 ? gate_reply{db_error_500} : gate_reply{"HTTP/1.1 200 OK\r\nContent-Le", 300ms};
  });
  const probe_result r = run(server, concurrent_probe(3, 2s));
  EXPECT_FALSE(r.passed);
  ASSERT_TRUE(r.reason.has_value());
  EXPECT_EQ(*r.reason, failure_reason::http_status) << r.detail;
  EXPECT_TRUE(r.detail.starts_with("3 of 3 failed, first request ")) << r.detail;
}

TEST(parallel_http, the_run_takes_as_long_as_the_slowest_request) {
  gate_server server(4, [](std::size_t i) { return gate_reply{health_200, i == 1 ? 400ms : 0ms}; });
  const probe_result r = run(server, concurrent_probe(4, 2s));
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_GE(r.duration, 400ms);
  EXPECT_LT(r.duration, 2s);
  const auto first_byte = std::find_if(r.phases.begin(), r.phases.end(),
                                       [](const auto& phase) { return phase.first == "first_byte"; });
  ASSERT_NE(first_byte, r.phases.end());
  EXPECT_GE(first_byte->second, 400ms) << "the phases are the slowest request's";
}

TEST(parallel_http, one_timeout_bounds_the_whole_run) {
  gate_server server(4, [](std::size_t) { return gate_reply{"", 0ms, true}; });
  const auto started = std::chrono::steady_clock::now();
  const probe_result r = run(server, concurrent_probe(4, 500ms));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(r.passed);
  ASSERT_TRUE(r.reason.has_value());
  EXPECT_EQ(*r.reason, failure_reason::timeout) << r.detail;
  EXPECT_TRUE(r.detail.starts_with("4 of 4 failed, first request ")) << r.detail;
  EXPECT_EQ(server.max_open(), 4u);
  // Four requests one after another would take 2 s.
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 1s);
}

}  // namespace
}  // namespace meshwatch

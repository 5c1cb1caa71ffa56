// perform_http_exchange against scripted loopback servers: every transport outcome is a
// value with the right reason, and nothing outlives the deadline.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "probes/http_exchange.hpp"
#include "tests/integration/probes/scripted_server.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using test::scripted_reply;
using test::scripted_server;
namespace asio = boost::asio;

http_exchange_result run(unsigned short port, http_exchange_request request = {},
                         http_exchange_limits limits = {}) {
  asio::io_context io;
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  request.host_header = "127.0.0.1:" + std::to_string(port);
  auto future = asio::co_spawn(io, perform_http_exchange(endpoint, request, limits), asio::use_future);
  io.run();
  return future.get();
}

const std::string mesher_404 =
    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 9\r\n"
    "Connection: close\r\n\r\nNot Found";

TEST(http_exchange, complete_response_with_phases) {
  scripted_server server({mesher_404});
  auto r = run(server.port());
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Not Found");
  EXPECT_GT(r.phases.connect.count(), 0);
  EXPECT_GE(r.total, r.phases.connect + r.phases.write + r.phases.first_byte);
}

TEST(http_exchange, body_until_close_without_content_length) {
  scripted_server server({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}"});
  auto r = run(server.port());
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"a\":1}");
}

TEST(http_exchange, headers_are_sent_with_their_exact_case) {
  // Mesher only honours lowercase x-sentry-auth; a probe that capitalised it would lie.
  scripted_server server({mesher_404});
  http_exchange_request request;
  request.method = "POST";
  request.target = "/api/v1/events";
  request.headers = {{"x-sentry-auth", "mshr_key"}};
  request.body = "{}";
  auto r = run(server.port(), request);
  ASSERT_FALSE(r.failure) << r.detail;
  auto sent = server.last_request();
  EXPECT_TRUE(sent.starts_with("POST /api/v1/events HTTP/1.1\r\n")) << sent;
  EXPECT_NE(sent.find("\r\nx-sentry-auth: mshr_key\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("\r\nContent-Length: 2\r\n"), std::string::npos) << sent;
}

TEST(http_exchange, refused_port_is_connect_refused) {
  unsigned short closed_port = 0;
  {
    scripted_server server({mesher_404});
    closed_port = server.port();
  }  // closed again: nothing listens there now
  auto r = run(closed_port);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::connect_refused) << r.detail;
}

TEST(http_exchange, hanging_server_times_out_at_the_deadline) {
  scripted_reply reply;
  reply.hang = true;
  scripted_server server(reply);
  http_exchange_limits limits;
  limits.timeout = 300ms;
  auto began = std::chrono::steady_clock::now();
  auto r = run(server.port(), {}, limits);
  auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::timeout) << r.detail;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 1s) << "no probe outlives its deadline";
}

TEST(http_exchange, slow_server_within_deadline_is_measured_as_first_byte) {
  scripted_reply reply{mesher_404};
  reply.delay = 150ms;
  scripted_server server(reply);
  auto r = run(server.port());
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_GE(r.phases.first_byte, 140ms);
  EXPECT_LT(r.phases.connect, 100ms);
}

TEST(http_exchange, oversized_body_is_too_large_without_buffering_it) {
  scripted_reply reply;
  reply.bytes = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
  reply.repeat_body_bytes = 8 * 1024 * 1024;
  scripted_server server(reply);
  http_exchange_limits limits;
  limits.max_body_bytes = 64 * 1024;
  auto r = run(server.port(), {}, limits);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::too_large) << r.detail;
  EXPECT_TRUE(r.body.empty());
}

TEST(http_exchange, declared_oversized_body_is_too_large) {
  scripted_server server({"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n"});
  auto r = run(server.port());
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::too_large) << r.detail;
}

TEST(http_exchange, garbage_is_a_malformed_response_not_a_crash) {
  for (const char* bytes :
       {"NOT HTTP AT ALL\r\n\r\n", "HTTP/1.1 abc\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n"}) {
    scripted_server server({bytes});
    auto r = run(server.port());
    ASSERT_TRUE(r.failure) << bytes;
    EXPECT_EQ(*r.failure, failure_reason::malformed_response) << bytes << ": " << r.detail;
  }
}

TEST(http_exchange, a_close_before_or_during_the_response_is_connection_closed) {
  // Nothing at all (a handler panic drops the connection: curl's "empty reply"), and a
  // response cut off in its headers and in its body.
  for (const char* bytes :
       {"", "HTTP/1.1 200 OK\r\nContent-Ty", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"a\""}) {
    scripted_server server({bytes});
    auto r = run(server.port());
    ASSERT_TRUE(r.failure) << bytes;
    EXPECT_EQ(*r.failure, failure_reason::connection_closed) << bytes << ": " << r.detail;
  }
}

}  // namespace
}  // namespace meshwatch

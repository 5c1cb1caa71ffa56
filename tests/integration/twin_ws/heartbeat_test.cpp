// Server ping / pong timeout (API.md §4.5, RUNTIME.md §9.4) and the ws_no_pong fault, with the
// intervals shortened through set_ping_interval.
#include <gtest/gtest.h>

#include <boost/beast/core/error.hpp>

#include "tests/integration/twin_ws/beast_test_client.hpp"
#include "tests/integration/twin_ws/ws_test_client.hpp"

namespace meshwatch::test {
namespace {

raw_ws_client upgraded(twin_ws_harness& twin, const std::string& target) {
  raw_ws_client client;
  EXPECT_TRUE(client.connect(twin.port()));
  EXPECT_EQ(client.upgrade(target).rfind("HTTP/1.1 101", 0), 0u);
  return client;
}

TEST(heartbeat, pings_answered_by_the_client_keep_the_connection) {
  twin_ws_harness twin;
  twin.server().set_ping_interval(50ms, 150ms);
  auto client = upgraded(twin, "/stream/projects/p");
  for (int i = 0; i < 5; ++i) {
    const auto ping = client.read_frame(2s);
    ASSERT_EQ(ping.what, raw_ws_client::status::frame);
    ASSERT_EQ(ping.frame.opcode, 0x9);
    EXPECT_EQ(ping.frame.payload.size(), 4u);
    ASSERT_TRUE(client.send(client_frame(0xA, ping.frame.payload)));
  }
  ASSERT_TRUE(client.send(client_frame(0x1, "{}")));
  const auto reply = client.read_non_ping(2s);
  ASSERT_EQ(reply.what, raw_ws_client::status::frame);
  EXPECT_EQ(reply.frame.payload, R"({"type":"filters_updated"})");
}

TEST(heartbeat, no_pong_within_the_timeout_closes_1001) {
  twin_ws_harness twin;
  twin.server().set_ping_interval(50ms, 100ms);
  auto client = upgraded(twin, "/stream/projects/p");
  const auto ping = client.read_frame(2s);
  ASSERT_EQ(ping.what, raw_ws_client::status::frame);
  ASSERT_EQ(ping.frame.opcode, 0x9);
  const auto close = client.read_frame(2s);
  ASSERT_EQ(close.what, raw_ws_client::status::frame);
  ASSERT_EQ(close.frame.opcode, 0x8);
  EXPECT_EQ(close.frame.close_code(), 1001);
  EXPECT_EQ(close.frame.close_reason(), "pong timeout");
  EXPECT_TRUE(twin.out.wait_for_line("[WS] Connection closed: 1000"));
}

TEST(heartbeat, a_pong_with_the_wrong_payload_does_not_count) {
  twin_ws_harness twin;
  twin.server().set_ping_interval(50ms, 100ms);
  auto client = upgraded(twin, "/stream/projects/p");
  const auto ping = client.read_frame(2s);
  ASSERT_EQ(ping.frame.opcode, 0x9);
  ASSERT_TRUE(client.send(client_frame(0xA, "nope")));
  const auto close = client.read_frame(2s);
  ASSERT_EQ(close.frame.opcode, 0x8);
  EXPECT_EQ(close.frame.close_code(), 1001);
}

TEST(heartbeat, client_pings_are_answered_with_the_same_payload) {
  twin_ws_harness twin;
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/stream/projects/p"));
  ASSERT_FALSE(client.ping("abc"));
  ASSERT_FALSE(client.write("{}"));
  boost::system::error_code ec;
  ASSERT_TRUE(client.read(ec));  // the pong arrives before the reply
  EXPECT_EQ(client.pongs_received(), 1);
}

TEST(heartbeat, no_pong_fault_silences_keep_alive_but_not_replies) {
  twin_ws_harness twin;
  twin.server().set_ping_interval(50ms, 100ms);
  twin.server().set_no_pong(true);
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x9, "p")));
  ASSERT_TRUE(client.send(client_frame(0x1, "{}")));
  // A pong would have been queued before the reply.
  const auto reply = client.read_frame(2s);
  ASSERT_EQ(reply.what, raw_ws_client::status::frame);
  EXPECT_EQ(reply.frame.payload, R"({"type":"filters_updated"})");
  // No server pings and no pong-timeout close for many intervals.
  EXPECT_EQ(client.read_frame(600ms).what, raw_ws_client::status::timeout);
}

TEST(heartbeat, no_pong_fault_makes_a_keep_alive_client_time_out) {
  twin_ws_harness twin;
  twin.server().set_ping_interval(50ms, 100ms);
  twin.server().set_no_pong(true);
  beast_ws_client client;
  client.enable_keep_alive(400ms);
  ASSERT_FALSE(client.connect(twin.port(), "/stream/projects/p"));
  boost::system::error_code ec;
  EXPECT_FALSE(client.read(ec, 5s));
  EXPECT_EQ(ec, boost::beast::error::timeout);
}

TEST(heartbeat, without_the_fault_the_same_keep_alive_client_survives) {
  twin_ws_harness twin;
  twin.server().set_ping_interval(50ms, 100ms);
  beast_ws_client client;
  client.enable_keep_alive(400ms);
  ASSERT_FALSE(client.connect(twin.port(), "/stream/projects/p"));
  boost::system::error_code ec;
  EXPECT_FALSE(client.read(ec, 1500ms));
  EXPECT_EQ(ec, boost::asio::error::timed_out);  // our deadline, not Beast's idle timeout
  EXPECT_GE(client.pings_received(), 5);
}

}  // namespace
}  // namespace meshwatch::test

// The long-lived stream subscriber against mesher-twin as a process: it connects and keeps
// the connection alive, receives pushes, reconnects when the server goes away or rejects it,
// and counts an unanswered keep-alive ping as ws_no_pong (the twin's `ws_no_pong` fault).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/integration/stream/stream_loop.hpp"
#include "tests/integration/stream/stream_test_support.hpp"
#include "tests/integration/twin/twin_harness.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;
using twin_test::twin_process;

// Reconnects come quickly in tests; the daemon's defaults are 250 ms doubling to 30 s.
stream_monitor_options quick_options() {
  stream_monitor_options options;
  options.connect_timeout = 2s;
  options.backoff = {50ms, 300ms, 0.2};
  return options;
}

double reconnects(stream_loop& loop, const std::string& reason) {
  return loop.metric("meshwatch_stream_reconnects_total", {{"reason", reason}}).value_or(-1);
}

TEST(stream_monitor, connects_and_keeps_the_connection_with_answered_pings) {
  twin_process twin({.mode = "fixed"});
  stream_loop loop;
  auto options = quick_options();
  options.ping_interval = 100ms;
  options.pong_timeout = 1s;
  // Every series exists before the first connection.
  loop.start_monitor(twin.ws_port(), twin_test::fresh_uuid(), options);
  EXPECT_TRUE(loop.metric("meshwatch_stream_connected").has_value());
  EXPECT_EQ(reconnects(loop, "ws_no_pong"), 0);
  ASSERT_TRUE(loop.wait_until([&] { return loop.monitor().connected(); }, 10s)) << loop.status().last_error;
  EXPECT_EQ(loop.metric("meshwatch_stream_connected"), 1);
  ASSERT_TRUE(loop.wait_until(
      [&] { return loop.metric("meshwatch_stream_pong_latency_seconds_count").value_or(0) >= 3; }, 10s));
  auto status = loop.status();
  EXPECT_TRUE(status.connected);
  EXPECT_EQ(status.connections, 1u);
  EXPECT_EQ(status.reconnects, 0u);
  ASSERT_TRUE(status.last_pong_latency_seconds);
  EXPECT_GT(*status.last_pong_latency_seconds, 0);
  EXPECT_LT(*status.last_pong_latency_seconds, 1);
}

TEST(stream_monitor, receives_the_push_a_post_caused_in_fixed_mode) {
  twin_process twin({.mode = "fixed"});
  auto tenant = twin_test::seed_tenant();
  stream_loop loop;
  auto& monitor = loop.start_monitor(twin.ws_port(), tenant.project, quick_options());
  ASSERT_TRUE(loop.wait_until([&] { return monitor.connected(); }, 10s)) << loop.status().last_error;

  auto from = loop.on_loop([&] { return monitor.next_push_seq(); });
  std::function<bool(const std::string&)> matches = [](const std::string& text) {
    return text.find("\"type\":\"event\"") != std::string::npos &&
           text.find("stream-monitor-test") != std::string::npos;
  };
  auto sent = std::chrono::steady_clock::now();
  auto push = boost::asio::co_spawn(loop.io(), monitor.wait_for_push(matches, from, sent + 10s),
                                    boost::asio::use_future);
  auto reply = twin.call("POST", "/api/v1/events", R"({"message":"m","fingerprint":"stream-monitor-test"})",
                         {{"x-sentry-auth", tenant.key}});
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 202) << reply->body;
  auto got = push.get();
  ASSERT_TRUE(got) << "no push for the accepted event";
  EXPECT_GE(got->received, sent);
  EXPECT_LT(got->received - sent, 5s);
  EXPECT_EQ(got->connection, 1u);
  EXPECT_GE(loop.metric("meshwatch_stream_pushes_total").value_or(0), 1);
  // {"type":"issue_count",…} follows the event push (API.md §4.3).
  EXPECT_TRUE(loop.wait_until([&] { return monitor.status().pushes >= 2; }, 5s));
}

TEST(stream_monitor, reconnects_after_the_server_goes_away_and_comes_back) {
  const auto port = free_port();
  ASSERT_NE(port, 0);
  auto twin = std::make_unique<twin_process>(
      twin_test::twin_config{.mode = "fixed", .env = {{"MESHER_WS_PORT", std::to_string(port)}}});
  stream_loop loop;
  auto& monitor = loop.start_monitor(port, twin_test::fresh_uuid(), quick_options());
  ASSERT_TRUE(loop.wait_until([&] { return monitor.connected(); }, 10s)) << loop.status().last_error;

  twin.reset();  // SIGKILL: the kernel ends the connection under the subscriber
  ASSERT_TRUE(loop.wait_until([&] { return !monitor.connected(); }, 5s));
  EXPECT_EQ(loop.metric("meshwatch_stream_connected"), 0);
  auto down = loop.status();
  EXPECT_TRUE(down.last_disconnect == "dropped" || down.last_disconnect == "closed") << down.last_disconnect;
  // Nobody listens for a while: attempts fail and back off, bounded.
  ASSERT_TRUE(loop.wait_until([&] { return reconnects(loop, "connect_failed") >= 2; }, 5s));

  twin = std::make_unique<twin_process>(
      twin_test::twin_config{.mode = "fixed", .env = {{"MESHER_WS_PORT", std::to_string(port)}}});
  ASSERT_TRUE(loop.wait_until([&] { return monitor.connected(); }, 10s)) << loop.status().last_error;
  auto up = loop.status();
  EXPECT_EQ(up.connections, 2u);
  EXPECT_GE(up.reconnects, 3u);
  EXPECT_EQ(loop.metric("meshwatch_stream_connected"), 1);
}

TEST(stream_monitor, a_rejecting_server_is_retried_with_backoff_until_it_accepts) {
  twin_process twin({.mode = "fixed"});
  ASSERT_EQ(twin.control("/fault/ws_reject_all"), 200);
  stream_loop loop;
  auto& monitor = loop.start_monitor(twin.ws_port(), twin_test::fresh_uuid(), quick_options());
  // 101, then Close 1008 `rejected` (API.md §4.1), again after every backoff pause.
  ASSERT_TRUE(loop.wait_until([&] { return reconnects(loop, "rejected") >= 2; }, 10s))
      << loop.status().last_error;
  EXPECT_FALSE(loop.on_loop([&] { return monitor.connected(); }));
  EXPECT_EQ(loop.status().last_disconnect, "rejected");

  ASSERT_EQ(twin.control("/fault/clear"), 200);
  ASSERT_TRUE(loop.wait_until(
      [&] {
        // A rejected connection is briefly "connected" between the 101 and the close: wait
        // for one that stays.
        return monitor.connected() && monitor.connected_since() &&
               std::chrono::steady_clock::now() - *monitor.connected_since() > 500ms;
      },
      10s));
}

TEST(stream_monitor, an_unanswered_ping_is_ws_no_pong_and_the_subscriber_reconnects) {
  twin_process twin({.mode = "fixed"});
  stream_loop loop;
  auto options = quick_options();
  options.ping_interval = 200ms;
  options.pong_timeout = 300ms;
  auto& monitor = loop.start_monitor(twin.ws_port(), twin_test::fresh_uuid(), options);
  ASSERT_TRUE(loop.wait_until([&] { return monitor.connected(); }, 10s)) << loop.status().last_error;
  ASSERT_TRUE(loop.wait_until(
      [&] { return loop.metric("meshwatch_stream_pong_latency_seconds_count").value_or(0) >= 1; }, 5s));
  EXPECT_EQ(reconnects(loop, "ws_no_pong"), 0);

  ASSERT_EQ(twin.control("/fault/ws_no_pong"), 200);
  auto injected = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop.wait_until([&] { return reconnects(loop, "ws_no_pong") >= 1; }, 5s));
  // One ping interval plus the pong timeout, with slack for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - injected, 2500ms);
  EXPECT_EQ(loop.status().last_disconnect, "ws_no_pong");

  ASSERT_EQ(twin.control("/fault/clear"), 200);
  auto pongs = loop.metric("meshwatch_stream_pong_latency_seconds_count").value_or(0);
  ASSERT_TRUE(loop.wait_until(
      [&] {
        return monitor.connected() &&
               loop.metric("meshwatch_stream_pong_latency_seconds_count").value_or(0) >= pongs + 2;
      },
      10s));
}

TEST(stream_monitor, stop_ends_waits_at_once) {
  twin_process twin({.mode = "fixed"});
  stream_loop loop;
  auto& monitor = loop.start_monitor(twin.ws_port(), twin_test::fresh_uuid(), quick_options());
  ASSERT_TRUE(loop.wait_until([&] { return monitor.connected(); }, 10s));
  std::function<bool(const std::string&)> never = [](const std::string&) { return false; };
  auto began = std::chrono::steady_clock::now();
  auto from = loop.on_loop([&] { return monitor.next_push_seq(); });
  auto push = boost::asio::co_spawn(loop.io(), monitor.wait_for_push(never, from, began + 30s),
                                    boost::asio::use_future);
  std::this_thread::sleep_for(100ms);
  loop.on_loop([&] {
    monitor.stop();
    return 0;
  });
  EXPECT_FALSE(push.get());
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
  EXPECT_FALSE(loop.on_loop([&] { return monitor.connected(); }));
}

}  // namespace
}  // namespace meshwatch::test

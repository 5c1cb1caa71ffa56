// Frames and close codes (API.md §4.3–4.5, RUNTIME.md §9.4): replies per frame, the ingest hook,
// close echo, 1007 / 1002 / 1011, and the console line for every accepted connection.
#include <gtest/gtest.h>

#include <stdexcept>

#include <boost/beast/websocket/error.hpp>

#include "tests/integration/twin_ws/beast_test_client.hpp"
#include "tests/integration/twin_ws/ws_test_client.hpp"

namespace meshwatch::test {
namespace {

const std::string filters_updated = R"({"type":"filters_updated"})";
const std::string closed_1000 = "[WS] Connection closed: 1000";

raw_ws_client upgraded(twin_ws_harness& twin, const std::string& target, const std::string& headers = "") {
  raw_ws_client client;
  EXPECT_TRUE(client.connect(twin.port()));
  EXPECT_EQ(client.upgrade(target, headers).rfind("HTTP/1.1 101", 0), 0u);
  return client;
}

void expect_close(raw_ws_client& client, std::uint16_t code, const std::string& reason) {
  const auto r = client.read_non_ping();
  ASSERT_EQ(r.what, raw_ws_client::status::frame);
  ASSERT_EQ(r.frame.opcode, 0x8);
  EXPECT_EQ(r.frame.close_code(), code);
  EXPECT_EQ(r.frame.close_reason(), reason);
}

TEST(messages, every_subscriber_frame_gets_filters_updated) {
  twin_ws_harness twin;
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/stream/projects/p"));
  boost::system::error_code ec;
  for (const std::string frame : {R"({"type":"subscribe","filters":{"level":"error"}})", "not json", ""}) {
    ASSERT_FALSE(client.write(frame));
    EXPECT_EQ(client.read(ec).value_or(ec.message()), filters_updated);
  }
  ASSERT_FALSE(client.write("\x01\x02", true));
  EXPECT_EQ(client.read(ec).value_or(ec.message()), filters_updated);
}

TEST(messages, ingest_frames_get_the_hook_reply_in_order) {
  twin_ws_harness twin(
      [](const std::string& frame) { return R"({"status":"accepted","echo":")" + frame + "\"}"; });
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/ingest", {{"x-sentry-auth", "k"}}));
  for (const std::string frame : {"a", "b", "c"}) {
    ASSERT_FALSE(client.write(frame));
  }
  boost::system::error_code ec;
  for (const std::string frame : {"a", "b", "c"}) {
    EXPECT_EQ(client.read(ec).value_or(ec.message()), R"({"status":"accepted","echo":")" + frame + "\"}");
  }
}

TEST(messages, without_a_hook_ingest_gets_the_head_error) {
  twin_ws_harness twin;
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/ingest", {{"authorization", "k"}}));
  ASSERT_FALSE(client.write("{}"));
  boost::system::error_code ec;
  EXPECT_EQ(client.read(ec).value_or(ec.message()),
            "{\"error\":\"42883\t\t\t\toperator does not exist: text ->> unknown\"}");
}

TEST(messages, a_throwing_hook_closes_1011_and_logs_1011) {
  twin_ws_harness twin([](const std::string&) -> std::string { throw std::runtime_error("boom"); });
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/ingest", {{"x-sentry-auth", "k"}}));
  ASSERT_FALSE(client.write("{}"));
  boost::system::error_code ec;
  EXPECT_FALSE(client.read(ec));
  EXPECT_EQ(ec, boost::beast::websocket::error::closed);
  EXPECT_EQ(client.close_code(), 1011);
  EXPECT_EQ(client.close_reason(), "internal error");
  EXPECT_TRUE(twin.out.wait_for_line("[WS] Connection closed: 1011"));
}

TEST(messages, client_close_is_echoed_with_same_code_and_empty_reason) {
  twin_ws_harness twin;
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/stream/projects/p"));
  EXPECT_FALSE(client.close(4001, "bye"));
  EXPECT_EQ(client.close_code(), 4001);
  EXPECT_EQ(client.close_reason(), "");
  // Whatever the client's code, Mesher logs 1000.
  EXPECT_TRUE(twin.out.wait_for_line(closed_1000));
  EXPECT_TRUE(twin.wait_for_connections(0));
  EXPECT_EQ(twin.out.count(closed_1000), 1u);
}

TEST(messages, close_without_code_is_echoed_as_1005) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x8, "")));
  expect_close(client, 1005, "");
  EXPECT_EQ(client.read_frame().what, raw_ws_client::status::eof);
}

TEST(messages, one_console_line_per_accepted_connection_on_disconnect) {
  twin_ws_harness twin;
  {
    auto sub = upgraded(twin, "/stream/projects/p");
    auto ingest = upgraded(twin, "/ingest", "authorization: k\r\n");
    ASSERT_TRUE(twin.wait_for_connections(2));
    sub.close();  // plain TCP close, no Close frame
    ingest.close();
  }
  ASSERT_TRUE(twin.wait_for_connections(0));
  EXPECT_TRUE(twin.out.wait_for_line(closed_1000));
  EXPECT_EQ(twin.out.count(closed_1000), 2u);
}

TEST(messages, invalid_utf8_text_closes_1007) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x1, "ok \xc3\x28")));
  expect_close(client, 1007, "invalid UTF-8");
  EXPECT_TRUE(twin.out.wait_for_line(closed_1000));
}

TEST(messages, invalid_utf8_in_binary_is_passed_on) {
  twin_ws_harness twin([](const std::string& frame) { return std::to_string(frame.size()); });
  auto client = upgraded(twin, "/ingest", "x-sentry-auth: k\r\n");
  ASSERT_TRUE(client.send(client_frame(0x2, "\xff\xfe")));
  const auto r = client.read_frame();
  ASSERT_EQ(r.what, raw_ws_client::status::frame);
  EXPECT_EQ(r.frame.payload, "2");
}

TEST(messages, fragments_are_reassembled_with_control_frames_between) {
  twin_ws_harness twin([](const std::string& frame) { return frame; });
  auto client = upgraded(twin, "/ingest", "x-sentry-auth: k\r\n");
  ASSERT_TRUE(client.send(client_frame(0x1, "hel", false) + client_frame(0x9, "p1") +
                          client_frame(0x0, "lo", false) + client_frame(0x0, " you", true)));
  auto pong = client.read_frame();
  ASSERT_EQ(pong.what, raw_ws_client::status::frame);
  EXPECT_EQ(pong.frame.opcode, 0xA);
  EXPECT_EQ(pong.frame.payload, "p1");
  auto reply = client.read_frame();
  ASSERT_EQ(reply.what, raw_ws_client::status::frame);
  EXPECT_EQ(reply.frame.payload, "hello you");
}

TEST(messages, unmasked_client_frames_are_accepted) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x1, "{}", true, false)));
  const auto r = client.read_frame();
  ASSERT_EQ(r.what, raw_ws_client::status::frame);
  EXPECT_EQ(r.frame.payload, filters_updated);
}

TEST(messages, new_message_inside_a_fragmented_one_closes_1002) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x1, "a", false) + client_frame(0x1, "b")));
  expect_close(client, 1002, "new message during fragmented sequence");
}

TEST(messages, stray_continuation_closes_1002) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x0, "x")));
  expect_close(client, 1002, "unexpected continuation frame");
}

TEST(messages, frame_level_errors_drop_without_close) {
  twin_ws_harness twin;
  for (const std::string& bad : {client_frame(0x3, "x"),                         // unknown opcode
                                 std::string("\xC1\x80\x00\x00\x00\x00", 6)}) {  // RSV1 set
    auto client = upgraded(twin, "/stream/projects/p");
    ASSERT_TRUE(client.send(bad));
    EXPECT_EQ(client.read_frame().what, raw_ws_client::status::eof);
  }
  ASSERT_TRUE(twin.wait_for_connections(0));
  EXPECT_EQ(twin.out.count(closed_1000), 2u);  // still "normal" ends for Mesher
}

}  // namespace
}  // namespace meshwatch::test

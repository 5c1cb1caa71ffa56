// Connect decision (API.md §4.2, RUNTIME.md §9.3): 101 first, then 1008 `rejected` for ingestion
// without a lowercase auth header; subscriber rooms from a fixed path segment.
#include <gtest/gtest.h>

#include <boost/beast/websocket/error.hpp>

#include "tests/integration/twin_ws/beast_test_client.hpp"
#include "tests/integration/twin_ws/ws_test_client.hpp"
#include "tests/twin/ws/routing.hpp"

namespace meshwatch::test {
namespace {

namespace ws = twin::ws_detail;

const std::string filters_updated = R"({"type":"filters_updated"})";

// 101, then a Close 1008 `rejected`, then the server closes the TCP connection.
void expect_rejected(twin_ws_harness& twin, const std::string& target, const std::string& headers) {
  raw_ws_client client;
  ASSERT_TRUE(client.connect(twin.port()));
  const std::string head = client.upgrade(target, headers);
  ASSERT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  const auto close = client.read_frame();
  ASSERT_EQ(close.what, raw_ws_client::status::frame);
  EXPECT_EQ(close.frame.opcode, 0x8);
  EXPECT_EQ(close.frame.close_code(), 1008);
  EXPECT_EQ(close.frame.close_reason(), "rejected");
  EXPECT_EQ(client.read_frame().what, raw_ws_client::status::eof);
}

TEST(routing, ingestion_without_auth_header_is_rejected_after_the_101_silently) {
  twin_ws_harness twin;
  expect_rejected(twin, "/ingest", "");
  EXPECT_TRUE(twin.wait_for_connections(0));
  EXPECT_TRUE(twin.out.lines().empty());       // rejected connections print nothing
  EXPECT_TRUE(twin.err.lines().size() == 1u);  // only the listening line
}

TEST(routing, capitalised_auth_headers_are_rejected) {
  twin_ws_harness twin;
  expect_rejected(twin, "/ingest", "X-Sentry-Auth: Sentry sentry_key=abc\r\n");
  expect_rejected(twin, "/", "Authorization: Bearer k\r\n");
}

TEST(routing, lowercase_auth_headers_are_accepted_whatever_the_value) {
  twin_ws_harness twin([](const std::string& frame) { return "seen:" + frame; });
  for (const std::string name : {"x-sentry-auth", "authorization"}) {
    beast_ws_client client;
    ASSERT_FALSE(client.connect(twin.port(), "/ingest", {{name, "wrong key"}})) << name;
    ASSERT_FALSE(client.write("{}"));
    boost::system::error_code ec;
    EXPECT_EQ(client.read(ec).value_or(ec.message()), "seen:{}") << name;
  }
}

TEST(routing, reject_all_fault_rejects_subscribers_too) {
  twin_ws_harness twin;
  twin.server().set_reject_all(true);
  expect_rejected(twin, "/stream/projects/p", "");
  twin.server().set_reject_all(false);
  beast_ws_client client;
  ASSERT_FALSE(client.connect(twin.port(), "/stream/projects/p"));
}

// Whether a subscriber on `target` receives a broadcast to `room`: broadcast, then send a frame.
// The reply is queued after anything the broadcast queued, so the first message read decides.
bool receives(twin_ws_harness& twin, const std::string& target, const std::string& room) {
  beast_ws_client client;
  if (client.connect(twin.port(), target)) {
    ADD_FAILURE() << "connect " << target;
    return false;
  }
  // Joining happens right after the 101; the frame round trip proves it is done.
  EXPECT_FALSE(client.write("{}"));
  boost::system::error_code ec;
  EXPECT_EQ(client.read(ec).value_or(ec.message()), filters_updated);
  twin.server().broadcast(room, R"({"type":"issue","action":"resolved","issue_id":"i"})");
  EXPECT_FALSE(client.write("{}"));
  const auto first = client.read(ec);
  return first && *first != filters_updated;
}

TEST(routing, subscribers_join_the_room_of_the_path_segment) {
  twin_ws_harness twin;
  const std::string id = "0b5e4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
  EXPECT_TRUE(receives(twin, "/stream/projects/" + id, "project:" + id));
  EXPECT_TRUE(receives(twin, "/ws/stream/projects/" + id, "project:" + id));
  EXPECT_FALSE(receives(twin, "/api/stream/projects/" + id, "project:" + id));
  // The quirks, positively: the wrong segment and the query string become the id.
  EXPECT_TRUE(receives(twin, "/api/stream/projects/" + id, "project:projects"));
  EXPECT_FALSE(receives(twin, "/stream/projects/" + id + "?a=1", "project:" + id));
  EXPECT_TRUE(receives(twin, "/stream/projects/" + id + "?a=1", "project:" + id + "?a=1"));
}

TEST(routing, broadcast_reaches_every_subscriber_of_the_room_verbatim) {
  twin_ws_harness twin;
  beast_ws_client a;
  beast_ws_client b;
  ASSERT_FALSE(a.connect(twin.port(), "/stream/projects/p"));
  ASSERT_FALSE(b.connect(twin.port(), "/ws/stream/projects/p"));
  boost::system::error_code ec;
  for (auto* c : {&a, &b}) {
    ASSERT_FALSE(c->write("{}"));
    ASSERT_EQ(c->read(ec).value_or(""), filters_updated);
  }
  const std::string push =
      R"({"type":"alert","alert_id":"x","rule_name":"r","condition":"new_issue","message":"m"})";
  twin.server().broadcast("project:p", push);
  EXPECT_EQ(a.read(ec).value_or(ec.message()), push);
  EXPECT_EQ(b.read(ec).value_or(ec.message()), push);
}

TEST(routing_rules, path_segment_rules) {
  const auto room_of = [](const std::string& target) -> std::string {
    ws::upgrade_request req;
    req.target = target;
    const auto route = ws::route_connection(req);
    if (const auto* sub = std::get_if<ws::route_subscriber>(&route)) {
      return sub->room;
    }
    return std::holds_alternative<ws::route_rejected>(route) ? "rejected" : "other";
  };
  EXPECT_EQ(room_of("/stream/projects/abc"), "project:abc");
  EXPECT_EQ(room_of("/ws/stream/projects/abc"), "project:abc");
  EXPECT_EQ(room_of("/stream/projects/abc/extra"), "project:abc");
  EXPECT_EQ(room_of("/api/stream/projects/abc"), "project:projects");
  EXPECT_EQ(room_of("/stream/projects/"), "project:");
  EXPECT_EQ(room_of("x/stream/projects/abc"), "project:abc");
  EXPECT_EQ(room_of("stream/projects/abc"), "rejected");  // no "/stream/projects/": ingestion
  EXPECT_EQ(room_of("/ingest"), "rejected");
}

}  // namespace
}  // namespace meshwatch::test

// Handshake validation (API.md §4.1, RUNTIME.md §5.2 / §9.2): exact 400 bodies, the stderr
// reasons, the bare 101, the 5 s read timeout and the pipelined-bytes warning.
#include <gtest/gtest.h>

#include "tests/integration/twin_ws/ws_test_client.hpp"
#include "tests/support/http_client.hpp"
#include "tests/twin/ws/accept_key.hpp"
#include "tests/twin/ws/handshake.hpp"

namespace meshwatch::test {
namespace {

using twin::ws_detail::request_head_reader;

std::string bad_request(const std::string& reason) {
  const std::string body = "Bad Request: " + reason;
  return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

struct reason_case {
  std::string request;
  std::string reason;
};

class handshake_rejection : public ::testing::TestWithParam<reason_case> {};

TEST_P(handshake_rejection, answers_400_with_the_exact_reason_and_logs_it) {
  twin_ws_harness twin;
  const auto response = raw_exchange("127.0.0.1", twin.port(), GetParam().request);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(*response, bad_request(GetParam().reason));
  EXPECT_TRUE(twin.err.wait_for_line("[mesh-rt] WS upgrade failed: " + GetParam().reason));
  EXPECT_TRUE(twin.wait_for_connections(0));
  EXPECT_TRUE(twin.out.lines().empty());
}

const std::string key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

INSTANTIATE_TEST_SUITE_P(
    reasons, handshake_rejection,
    ::testing::Values(reason_case{"POST /ingest HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                      key + "Sec-WebSocket-Version: 13\r\n\r\n",
                                  "method must be GET"},
                      reason_case{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "missing or invalid Upgrade header"},
                      reason_case{"GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
                                  "missing or invalid Upgrade header"},
                      reason_case{"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n" + key +
                                      "Sec-WebSocket-Version: 13\r\n\r\n",
                                  "missing or invalid Connection header"},
                      reason_case{"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: "
                                  "Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
                                  "missing Sec-WebSocket-Key header"},
                      reason_case{"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key +
                                      "Sec-WebSocket-Version: 8\r\n\r\n",
                                  "missing or invalid Sec-WebSocket-Version (must be 13)"},
                      reason_case{
                          "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key + "\r\n",
                          "missing or invalid Sec-WebSocket-Version (must be 13)"}));

TEST(handshake, header_names_and_values_are_case_insensitive_for_validation) {
  twin_ws_harness twin;
  raw_ws_client client;
  ASSERT_TRUE(client.connect(twin.port()));
  const std::string head = client.upgrade_raw(
      "get /stream/projects/p HTTP/1.1\r\nupgrade: WebSocket\r\nCONNECTION: keep-alive, UPGRADE\r\n"
      "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
}

TEST(handshake, switching_protocols_carries_only_the_three_headers) {
  twin_ws_harness twin;
  raw_ws_client client;
  ASSERT_TRUE(client.connect(twin.port()));
  const std::string head =
      client.upgrade("/stream/projects/p",
                     "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate\r\n");
  // RFC 6455 §1.3 example key and accept value.
  EXPECT_EQ(head,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
}

TEST(handshake, a_malformed_request_line_gets_no_response) {
  twin_ws_harness twin;
  const auto response = raw_exchange("127.0.0.1", twin.port(), "FOO\r\n\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(*response, "");
  EXPECT_TRUE(twin.err.wait_for_line("[mesh-rt] WS upgrade failed: malformed request line: FOO"));
}

TEST(handshake, times_out_after_five_seconds_without_the_blank_line) {
  twin_ws_harness twin;
  raw_ws_client client;
  ASSERT_TRUE(client.connect(twin.port()));
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nUpgrade: websocket\r\n"));
  const auto started = std::chrono::steady_clock::now();
  const auto r = client.read_frame(10s);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.what, raw_ws_client::status::eof);
  EXPECT_GE(waited, 4500ms);
  EXPECT_TRUE(twin.err.wait_for_line(
      "[mesh-rt] WS upgrade failed: read header: Resource temporarily unavailable (os error 11)"));
}

TEST(handshake, bytes_pipelined_after_the_request_are_warned_about_and_discarded) {
  twin_ws_harness twin;
  raw_ws_client client;
  ASSERT_TRUE(client.connect(twin.port()));
  const std::string early = client_frame(0x1, "lost");
  const std::string head = client.upgrade_raw(upgrade_request("/stream/projects/p") + early);
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_TRUE(twin.err.wait_for_line("[mesh-rt] warning: " + std::to_string(early.size()) +
                                     " bytes buffered beyond HTTP headers during WebSocket upgrade"));
  // The early frame got no reply: after one frame and a close we see one reply, then the echo.
  ASSERT_TRUE(client.send(client_frame(0x1, "{}")));
  ASSERT_TRUE(client.send(client_close(1000)));
  auto reply = client.read_frame();
  ASSERT_EQ(reply.what, raw_ws_client::status::frame);
  EXPECT_EQ(reply.frame.payload, R"({"type":"filters_updated"})");
  auto echo = client.read_frame();
  ASSERT_EQ(echo.what, raw_ws_client::status::frame);
  EXPECT_EQ(echo.frame.opcode, 0x8);
}

TEST(handshake_parser, accept_key_matches_rfc_example) {
  EXPECT_EQ(twin::ws_detail::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake_parser, eof_mid_head_still_validates_what_arrived) {
  request_head_reader reader;
  EXPECT_EQ(reader.feed("GET /x HTTP/1.1\r\nUpgrade: websocket\r\nx-sentry-auth: k"),
            request_head_reader::state::need_more);
  EXPECT_EQ(reader.feed_eof(), request_head_reader::state::done);
  EXPECT_EQ(reader.request().target, "/x");
  ASSERT_EQ(reader.request().headers.size(), 2u);
  EXPECT_EQ(reader.request().headers[1].first, "x-sentry-auth");
  EXPECT_EQ(reader.request().headers[1].second, "k");
}

TEST(handshake_parser, keeps_header_name_case_and_skips_lines_without_colon) {
  request_head_reader reader;
  EXPECT_EQ(reader.feed("GET /a?b=1 HTTP/1.1\nX-Sentry-Auth:  v \nnonsense\n\n"),
            request_head_reader::state::done);
  EXPECT_EQ(reader.request().target, "/a?b=1");
  ASSERT_EQ(reader.request().headers.size(), 1u);
  EXPECT_EQ(reader.request().headers[0].first, "X-Sentry-Auth");
  EXPECT_EQ(reader.request().headers[0].second, "v");
}

TEST(handshake_parser, invalid_utf8_in_a_header_is_a_read_error) {
  request_head_reader reader;
  EXPECT_EQ(reader.feed("GET / HTTP/1.1\r\nA: \xff\r\n\r\n"), request_head_reader::state::failed);
  EXPECT_EQ(reader.error(), "read header: stream did not contain valid UTF-8");
}

}  // namespace
}  // namespace meshwatch::test

#include <gtest/gtest.h>

#include "probes/ws_probe.hpp"

namespace meshwatch {
namespace {

ws_probe spec_with(std::optional<std::string> send, std::vector<json_expectation> reply = {},
                   std::optional<int> close = {}) {
  ws_probe spec;
  spec.path = text_template::literal("/ingest");
  if (send) spec.send = text_template::literal(*send);
  spec.expect_reply = std::move(reply);
  spec.expect_close = close;
  return spec;
}

probe_result judge(const ws_probe& spec, const ws_exchange_result& seen) {
  probe_result r;
  judge_ws_exchange(spec, seen, {}, r);
  return r;
}

TEST(ws_judge, a_send_without_assertions_needs_any_reply) {
  ws_exchange_result seen;
  seen.handshake_status = 101;
  seen.reply = "{\"error\":\"42883\t\t\t\tnot json\"";  // Mesher's raw-TAB error reply
  EXPECT_TRUE(judge(spec_with("{}"), seen).passed);
  seen.reply.reset();
  auto r = judge(spec_with("{}"), seen);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::ws_no_reply);
}

TEST(ws_judge, a_missing_pong_is_ws_no_pong) {
  ws_exchange_result seen;
  seen.handshake_status = 101;
  seen.reply = R"({"type":"filters_updated"})";
  seen.failure = failure_reason::ws_no_pong;
  seen.detail = "no pong: timeout";
  auto spec = spec_with("{}");
  spec.expect_pong = true;
  auto r = judge(spec, seen);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::ws_no_pong);
  EXPECT_EQ(r.detail, "no pong: timeout");
}

TEST(ws_judge, reply_assertions_are_checked) {
  ws_exchange_result seen;
  seen.reply = R"({"type":"filters_updated"})";
  json_expectation type{"/type", json_matcher{json_equals{text_template::literal("filters_updated")}}};
  EXPECT_TRUE(judge(spec_with("{}", {type}), seen).passed);
  seen.reply = R"({"type":"event"})";
  auto r = judge(spec_with("{}", {type}), seen);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::body_mismatch);
  seen.reply = "not json";
  EXPECT_EQ(judge(spec_with("{}", {type}), seen).reason, failure_reason::invalid_json);
}

TEST(ws_judge, rejection_while_waiting_for_a_reply_is_ws_rejected) {
  ws_exchange_result seen;
  seen.failure = failure_reason::ws_closed;
  seen.close_code = 1008;
  EXPECT_EQ(judge(spec_with("{}"), seen).reason, failure_reason::ws_rejected);
  seen.close_code = 1001;
  EXPECT_EQ(judge(spec_with("{}"), seen).reason, failure_reason::ws_closed);
}

TEST(ws_judge, expected_close_code_must_match) {
  ws_exchange_result seen;
  seen.close_code = 1008;
  EXPECT_TRUE(judge(spec_with(std::nullopt, {}, 1008), seen).passed);
  seen.close_code = 1000;
  auto r = judge(spec_with(std::nullopt, {}, 1008), seen);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::ws_closed);
  seen.close_code.reset();
  EXPECT_FALSE(judge(spec_with(std::nullopt, {}, 1008), seen).passed);
}

}  // namespace
}  // namespace meshwatch

#include <gtest/gtest.h>

#include "daemon/stream_push_wait.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

pipeline_step http_step(std::string name) { return {std::move(name), http_request{}, {}, {}, {}}; }
pipeline_step pg_step(std::string name) { return {std::move(name), pg_query_step{}, {}, {}, {}}; }
pipeline_step wait_step(std::string name) { return {std::move(name), ws_wait_step{}, {}, {}, {}}; }

// The default catalogue's ingest pipeline and issue_actions_roundtrip in miniature.
const pipeline_probe ingest{
    {http_step("accepted"), pg_step("db_visible"), wait_step("ws_pushed"), http_step("listed")}};
const pipeline_probe actions{{http_step("resolved"), pg_step("db_visible"), wait_step("ws_pushed"),
                              http_step("archived"), wait_step("archived_pushed")}};

TEST(stream_push_wait, the_cause_is_the_last_request_before_the_wait) {
  EXPECT_EQ(causing_request_step(ingest, 2), 0u);
  EXPECT_EQ(causing_request_step(actions, 4), 3u);
  const pipeline_probe only_wait{{wait_step("w")}};
  EXPECT_FALSE(causing_request_step(only_wait, 0));
}

TEST(stream_push_wait, accepted_then_visible_proves_the_push) {
  EXPECT_TRUE(push_proved_before(ingest, 2));
  EXPECT_TRUE(push_proved_before(actions, 2));
  // archived: accepted, but no row check between the request and the wait
  EXPECT_FALSE(push_proved_before(actions, 4));
  // a row check before the request proves nothing about it
  const pipeline_probe pg_first{{pg_step("p"), http_step("h"), wait_step("w")}};
  EXPECT_FALSE(push_proved_before(pg_first, 2));
  const pipeline_probe only_wait{{wait_step("w")}};
  EXPECT_FALSE(push_proved_before(only_wait, 0));
}

missing_push_facts connected_since(clock::time_point since, clock::time_point request) {
  missing_push_facts f;
  f.connected = true;
  f.connected_since = since;
  f.request_started = request;
  f.proved = true;
  return f;
}

TEST(stream_push_wait, connected_throughout_and_proved_is_a_silent_drop) {
  auto t = clock::now();
  auto f = connected_since(t - 1s, t);
  EXPECT_EQ(judge_missing_push(f), missing_push::silent_drop);
  EXPECT_EQ(reason_for(missing_push::silent_drop), failure_reason::pipeline_stalled);
  f.proved = false;
  EXPECT_EQ(judge_missing_push(f), missing_push::unproved);
  EXPECT_EQ(reason_for(missing_push::unproved), failure_reason::pipeline_stalled);
}

TEST(stream_push_wait, a_subscriber_that_is_down_is_ws_closed_not_a_drop) {
  auto t = clock::now();
  auto f = connected_since(t - 1s, t);
  f.connected = false;
  EXPECT_EQ(judge_missing_push(f), missing_push::not_connected);
  EXPECT_EQ(reason_for(missing_push::not_connected), failure_reason::ws_closed);
  f.connected = true;
  f.connected_since.reset();
  EXPECT_EQ(judge_missing_push(f), missing_push::not_connected);
}

TEST(stream_push_wait, a_reconnect_after_the_request_is_ws_closed_not_a_drop) {
  auto t = clock::now();
  auto f = connected_since(t + 10ms, t);
  EXPECT_EQ(judge_missing_push(f), missing_push::reconnected);
  EXPECT_EQ(reason_for(missing_push::reconnected), failure_reason::ws_closed);
  // connected at the very instant of the request still saw it
  EXPECT_EQ(judge_missing_push(connected_since(t, t)), missing_push::silent_drop);
}

TEST(stream_push_wait, pushes_lost_to_our_own_bound_are_not_blamed_on_mesher) {
  auto t = clock::now();
  auto f = connected_since(t - 1s, t);
  f.evicted = true;
  EXPECT_EQ(judge_missing_push(f), missing_push::evicted);
  EXPECT_NE(describe(missing_push::evicted), describe(missing_push::silent_drop));
}

}  // namespace
}  // namespace meshwatch

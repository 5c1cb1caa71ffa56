#include <gtest/gtest.h>

#include "daemon/console/heartbeat_tracker.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using tp = std::chrono::steady_clock::time_point;

TEST(heartbeat_tracker, periods_are_the_documented_ones) {
  EXPECT_EQ(heartbeat_tracker::period(heartbeat::load_monitor), 5s);
  EXPECT_EQ(heartbeat_tracker::period(heartbeat::health_check), 10s);
  EXPECT_EQ(heartbeat_tracker::period(heartbeat::alert_evaluator), 30s);
}

TEST(heartbeat_tracker, age_counts_from_start_until_the_first_line) {
  tp start{100s};
  heartbeat_tracker t(start);
  EXPECT_EQ(t.age(heartbeat::load_monitor, start + 3s), 3s);
  EXPECT_FALSE(t.last_seen(heartbeat::load_monitor));
  t.seen(heartbeat::load_monitor, start + 5s);
  EXPECT_EQ(t.age(heartbeat::load_monitor, start + 7s), 2s);
  EXPECT_EQ(t.age(heartbeat::health_check, start + 7s), 7s);  // each heartbeat on its own
}

TEST(heartbeat_tracker, ages_never_go_negative_and_keep_the_newest) {
  tp start{100s};
  heartbeat_tracker t(start);
  t.seen(heartbeat::health_check, start + 10s);
  t.seen(heartbeat::health_check, start + 4s);  // late delivery of an older line
  EXPECT_EQ(*t.last_seen(heartbeat::health_check), start + 10s);
  EXPECT_EQ(t.age(heartbeat::health_check, start + 9s), 0s);
}

TEST(heartbeat_tracker, states_follow_the_d4_thresholds) {
  tp start{0s};
  heartbeat_tracker t(start);
  t.seen(heartbeat::load_monitor, start);
  EXPECT_EQ(t.state(heartbeat::load_monitor, start + 20s), heartbeat_state::ok);
  EXPECT_EQ(t.state(heartbeat::load_monitor, start + 21s), heartbeat_state::warn);
  EXPECT_EQ(t.state(heartbeat::load_monitor, start + 46s), heartbeat_state::alert);
  t.seen(heartbeat::alert_evaluator, start);
  EXPECT_EQ(t.state(heartbeat::alert_evaluator, start + 59s), heartbeat_state::ok);
  EXPECT_EQ(t.state(heartbeat::alert_evaluator, start + 121s), heartbeat_state::alert);
}

TEST(heartbeat_tracker, reset_forgets_the_previous_process) {
  tp start{0s};
  heartbeat_tracker t(start);
  t.seen(heartbeat::load_monitor, start + 50s);
  t.reset(start + 60s);
  EXPECT_FALSE(t.last_seen(heartbeat::load_monitor));
  EXPECT_EQ(t.age(heartbeat::load_monitor, start + 61s), 1s);
}

}  // namespace
}  // namespace meshwatch

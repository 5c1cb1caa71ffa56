#include "daemon/process/restart_tracker.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using clock = restart_tracker::clock;

process_identity proc(pid_t pid, std::uint64_t ticks = 100) { return {pid, ticks}; }

TEST(restart_tracker, first_process_is_not_a_restart) {
  restart_tracker t(3, 60s);
  auto u = t.on_start(proc(10), clock::time_point{});
  EXPECT_FALSE(u.restarted);
  EXPECT_EQ(t.restarts_total(), 0u);
}

TEST(restart_tracker, same_identity_again_is_not_a_restart) {
  restart_tracker t(3, 60s);
  t.on_start(proc(10), clock::time_point{});
  EXPECT_FALSE(t.on_start(proc(10), clock::time_point{} + 1s).restarted);
}

TEST(restart_tracker, new_pid_is_a_restart) {
  restart_tracker t(3, 60s);
  t.on_start(proc(10), clock::time_point{});
  EXPECT_TRUE(t.on_start(proc(11), clock::time_point{} + 1s).restarted);
  EXPECT_EQ(t.restarts_total(), 1u);
}

TEST(restart_tracker, reused_pid_with_new_start_time_is_a_restart) {
  restart_tracker t(3, 60s);
  t.on_start(proc(10, 100), clock::time_point{});
  EXPECT_TRUE(t.on_start(proc(10, 250), clock::time_point{} + 1s).restarted);
}

TEST(restart_tracker, crash_loop_starts_at_threshold_within_window) {
  restart_tracker t(3, 10s);
  auto t0 = clock::time_point{} + 1h;
  t.on_start(proc(1), t0);
  EXPECT_FALSE(t.on_start(proc(2), t0 + 1s).crash_loop_started);
  EXPECT_FALSE(t.on_start(proc(3), t0 + 2s).crash_loop_started);
  auto u = t.on_start(proc(4), t0 + 3s);
  EXPECT_TRUE(u.restarted);
  EXPECT_TRUE(u.crash_loop_started);
  EXPECT_TRUE(t.crash_looping());
  // Further restarts keep it looping without a second "started".
  EXPECT_FALSE(t.on_start(proc(5), t0 + 4s).crash_loop_started);
}

TEST(restart_tracker, restarts_spread_wider_than_window_are_no_loop) {
  restart_tracker t(3, 10s);
  auto t0 = clock::time_point{} + 1h;
  t.on_start(proc(1), t0);
  t.on_start(proc(2), t0 + 0s);
  t.on_start(proc(3), t0 + 6s);
  EXPECT_FALSE(t.on_start(proc(4), t0 + 11s).crash_loop_started);  // the first aged out
  EXPECT_FALSE(t.crash_looping());
  EXPECT_EQ(t.restarts_total(), 3u);
}

TEST(restart_tracker, crash_loop_ends_when_restarts_age_out) {
  restart_tracker t(2, 10s);
  auto t0 = clock::time_point{} + 1h;
  t.on_start(proc(1), t0);
  t.on_start(proc(2), t0 + 1s);
  EXPECT_TRUE(t.on_start(proc(3), t0 + 2s).crash_loop_started);
  EXPECT_FALSE(t.tick(t0 + 10s).crash_loop_ended);  // restart at +2 s still inside
  EXPECT_TRUE(t.tick(t0 + 12s).crash_loop_ended);
  EXPECT_FALSE(t.crash_looping());
  EXPECT_FALSE(t.tick(t0 + 13s).crash_loop_ended);  // reported once
}

TEST(restart_tracker, threshold_zero_disables_crash_loops) {
  restart_tracker t(0, 10s);
  auto t0 = clock::time_point{};
  for (pid_t p = 1; p < 20; ++p) {
    EXPECT_FALSE(t.on_start(proc(p), t0).crash_loop_started);
  }
  EXPECT_EQ(t.restarts_total(), 18u);
}

TEST(restart_tracker, history_is_bounded) {
  restart_tracker t(1000, 1h, 8);
  auto t0 = clock::time_point{};
  for (pid_t p = 1; p < 100; ++p) {
    t.on_start(proc(p), t0 + std::chrono::seconds(p));
  }
  EXPECT_LE(t.restarts_in_window(t0 + 100s), 8u);
  EXPECT_EQ(t.restarts_total(), 98u);
}

}  // namespace
}  // namespace meshwatch

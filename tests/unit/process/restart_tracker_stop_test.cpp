// Restarts after an external stop (SIGTERM/SIGINT: deploys, `systemctl restart`) are restarts,
// but no step towards a crash loop; crashes around them still are.
#include <gtest/gtest.h>

#include "daemon/process/restart_tracker.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using clock = restart_tracker::clock;

process_identity proc(pid_t pid) { return {pid, 100}; }

TEST(restart_tracker_stops, restarts_after_external_stops_do_not_make_a_crash_loop) {
  restart_tracker t(3, 5min);
  auto now = clock::time_point{};
  t.on_start(proc(10), now);
  for (pid_t pid = 11; pid <= 15; ++pid) {
    t.on_exit(proc(pid - 1), /*external_stop=*/true);
    now += 10s;
    auto u = t.on_start(proc(pid), now);
    EXPECT_TRUE(u.restarted);
    EXPECT_FALSE(u.crash_loop_started);
  }
  EXPECT_EQ(t.restarts_total(), 5U);
  EXPECT_FALSE(t.crash_looping());
  EXPECT_EQ(t.restarts_in_window(now), 0U);
}

TEST(restart_tracker_stops, crashes_between_stops_still_make_a_crash_loop) {
  restart_tracker t(3, 5min);
  auto now = clock::time_point{};
  t.on_start(proc(10), now);
  const bool stops[] = {false, true, false, false};
  pid_t pid = 10;
  restart_tracker::update u;
  for (bool stop : stops) {
    t.on_exit(proc(pid), stop);
    now += 10s;
    u = t.on_start(proc(++pid), now);
  }
  EXPECT_TRUE(u.crash_loop_started);
  EXPECT_EQ(t.restarts_total(), 4U);
  EXPECT_EQ(t.restarts_in_window(now), 3U);
}

TEST(restart_tracker_stops, a_stop_reported_for_another_process_excuses_nothing) {
  restart_tracker t(2, 5min);
  auto now = clock::time_point{};
  t.on_start(proc(10), now);
  t.on_exit(proc(99), true);  // stale: not the process we know
  now += 1s;
  t.on_start(proc(11), now);
  now += 1s;
  EXPECT_TRUE(t.on_start(proc(12), now).crash_loop_started);
}

TEST(restart_tracker_stops, an_exit_without_a_known_stop_counts_as_before) {
  restart_tracker t(2, 5min);
  auto now = clock::time_point{};
  t.on_start(proc(10), now);
  t.on_exit(proc(10), /*external_stop=*/true);
  t.on_start(proc(11), now + 1s);  // not counted
  // No exit seen for 11 (located process gone without a report): its restart counts.
  t.on_start(proc(12), now + 2s);
  EXPECT_FALSE(t.crash_looping());
  t.on_exit(proc(12), false);
  EXPECT_TRUE(t.on_start(proc(13), now + 3s).crash_loop_started);
}

}  // namespace
}  // namespace meshwatch

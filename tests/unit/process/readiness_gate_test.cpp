#include "daemon/process/readiness_gate.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using clock = readiness_gate::clock;

const auto t0 = clock::time_point{} + 1h;

TEST(readiness_gate, down_until_started) {
  readiness_gate g(30s);
  EXPECT_EQ(g.state(), readiness::down);
  EXPECT_FALSE(g.on_listening_line());
  EXPECT_FALSE(g.on_fast_path_probe(true));
  EXPECT_EQ(g.state(), readiness::down);
  EXPECT_FALSE(g.in_grace(t0));
}

TEST(readiness_gate, needs_line_and_probe) {
  readiness_gate g(30s);
  g.on_start(t0);
  EXPECT_EQ(g.state(), readiness::starting);
  EXPECT_FALSE(g.on_listening_line());
  EXPECT_EQ(g.state(), readiness::starting);
  EXPECT_TRUE(g.on_fast_path_probe(true));
  EXPECT_EQ(g.state(), readiness::ready);
}

TEST(readiness_gate, probe_before_line_also_works) {
  readiness_gate g(30s);
  g.on_start(t0);
  EXPECT_FALSE(g.on_fast_path_probe(true));
  EXPECT_TRUE(g.on_listening_line());
  EXPECT_FALSE(g.on_listening_line());  // already ready: no second transition
}

TEST(readiness_gate, failed_probes_do_not_make_ready) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  EXPECT_FALSE(g.on_fast_path_probe(false));
  EXPECT_EQ(g.state(), readiness::starting);
}

TEST(readiness_gate, grace_window) {
  readiness_gate g(30s);
  g.on_start(t0);
  EXPECT_TRUE(g.in_grace(t0));
  EXPECT_TRUE(g.in_grace(t0 + 29s));
  EXPECT_FALSE(g.in_grace(t0 + 30s));
}

TEST(readiness_gate, ready_ends_the_grace) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  g.on_fast_path_probe(true);
  EXPECT_FALSE(g.in_grace(t0 + 1s));
}

TEST(readiness_gate, restart_resets_everything) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  g.on_fast_path_probe(true);
  EXPECT_TRUE(g.on_exit());  // was ready: a not_ready transition
  EXPECT_EQ(g.state(), readiness::down);
  g.on_start(t0 + 1min);
  EXPECT_EQ(g.state(), readiness::starting);
  EXPECT_TRUE(g.in_grace(t0 + 1min + 1s));
  EXPECT_FALSE(g.on_fast_path_probe(true));  // the line of the old process does not count
  EXPECT_TRUE(g.on_listening_line());
}

TEST(readiness_gate, exit_while_starting_is_no_not_ready_transition) {
  readiness_gate g(30s);
  g.on_start(t0);
  EXPECT_FALSE(g.on_exit());
}

TEST(readiness_gate, readiness_timeout_reported_once_after_grace) {
  readiness_gate g(30s);
  g.on_start(t0);
  EXPECT_FALSE(g.readiness_timed_out(t0 + 10s));
  EXPECT_TRUE(g.readiness_timed_out(t0 + 31s));
  EXPECT_FALSE(g.readiness_timed_out(t0 + 40s));
  EXPECT_EQ(g.state(), readiness::starting);  // still becomes ready later if it can
  g.on_listening_line();
  EXPECT_TRUE(g.on_fast_path_probe(true));
}

TEST(readiness_gate, no_timeout_once_ready) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  g.on_fast_path_probe(true);
  EXPECT_FALSE(g.readiness_timed_out(t0 + 1h));
}

TEST(readiness_gate, an_exit_alone_ends_the_grace) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  g.on_fast_path_probe(true);
  g.on_exit();
  EXPECT_FALSE(g.in_grace(t0 + 1min));  // no restart expected (an exec child): an outage at once
}

TEST(readiness_gate, the_gap_of_an_expected_restart_is_in_grace) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  g.on_fast_path_probe(true);
  g.on_exit();
  g.expect_restart(t0 + 1min);
  EXPECT_EQ(g.state(), readiness::down);
  EXPECT_TRUE(g.in_grace(t0 + 1min));
  EXPECT_TRUE(g.in_grace(t0 + 1min + 29s));
  EXPECT_FALSE(g.in_grace(t0 + 1min + 30s));  // never restarted: failures count again
  EXPECT_FALSE(g.readiness_timed_out(t0 + 2min));
}

TEST(readiness_gate, the_new_start_takes_over_from_the_restart_gap) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_exit();
  g.expect_restart(t0 + 10s);
  g.on_start(t0 + 20s);
  EXPECT_TRUE(g.in_grace(t0 + 45s));  // the new start's own grace, not the exit's
  EXPECT_FALSE(g.in_grace(t0 + 50s));
  g.on_listening_line();
  EXPECT_TRUE(g.on_fast_path_probe(true));
  EXPECT_FALSE(g.in_grace(t0 + 21s));
}

TEST(readiness_gate, expecting_a_restart_of_a_live_process_changes_nothing) {
  readiness_gate g(30s);
  g.on_start(t0);
  g.on_listening_line();
  g.on_fast_path_probe(true);
  g.expect_restart(t0 + 1s);
  EXPECT_FALSE(g.in_grace(t0 + 2s));
}

}  // namespace
}  // namespace meshwatch

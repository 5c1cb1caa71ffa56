#include <gtest/gtest.h>

#include <ostream>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "daemon/probe_schedule.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// A fake clock is just time points: the schedule never reads a clock itself.
const schedule_time t0 = schedule_time{} + std::chrono::hours{1000};

random_source fixed(std::vector<double> values) {
  return [values = std::move(values), i = std::size_t{0}]() mutable { return values[i++ % values.size()]; };
}

schedule_policy policy(milliseconds interval, int jitter_percent = 10) {
  schedule_policy p;
  p.interval = interval;
  p.timeout = interval / 3;
  p.jitter_percent = jitter_percent;
  p.unhealthy_interval = interval;
  return p;
}

probe_config probe(milliseconds interval, milliseconds timeout, std::vector<std::string> tags = {}) {
  probe_config p;
  p.name = "p";
  p.interval = interval;
  p.timeout = timeout;
  p.tags = std::move(tags);
  return p;
}

TEST(probe_schedule, first_delay_follows_the_random_source) {
  probe_schedule s{policy(10s), fixed({0.0, 0.5, 0.999999})};
  EXPECT_EQ(s.first_run(t0), t0);
  EXPECT_EQ(s.first_run(t0), t0 + 5s);
  EXPECT_EQ(s.first_run(t0), t0 + 9999ms);
}

TEST(probe_schedule, first_delays_spread_over_the_interval) {
  std::mt19937 rng{42};
  std::uniform_real_distribution<double> uniform{0.0, 1.0};
  probe_schedule s{policy(15s), [&] { return uniform(rng); }};
  std::vector<milliseconds> delays;
  for (int i = 0; i < 1000; ++i) {
    delays.push_back(std::chrono::duration_cast<milliseconds>(s.first_run(t0) - t0));
  }
  const auto [lo, hi] = std::minmax_element(delays.begin(), delays.end());
  EXPECT_GE(*lo, 0ms);
  EXPECT_LT(*hi, 15s);
  EXPECT_LT(*lo, 500ms);
  EXPECT_GT(*hi, 14500ms);
  // Every tenth of the interval gets some probes: no clumping.
  std::vector<int> buckets(10);
  for (milliseconds d : delays) {
    ++buckets[static_cast<std::size_t>(d.count() / 1500)];
  }
  for (int count : buckets) {
    EXPECT_GT(count, 60);
  }
}

TEST(probe_schedule, long_intervals_start_within_the_first_run_spread) {
  // A 10-minute (risky) probe still gets its first result within 30 s of start-up; its later
  // runs keep the full interval.
  probe_schedule s{policy(10min), fixed({0.0, 0.5, 0.999999, 0.0})};
  EXPECT_EQ(s.first_run(t0), t0);
  EXPECT_EQ(s.first_run(t0), t0 + first_run_spread / 2);
  EXPECT_LT(s.first_run(t0), t0 + first_run_spread);
  EXPECT_GE(s.next_run(t0, false), t0 + 9min);
}

TEST(probe_schedule, sloppy_random_values_are_clamped) {
  probe_schedule s{policy(10s), fixed({1.0, 7.0, -3.0, std::numeric_limits<double>::quiet_NaN()})};
  EXPECT_LT(s.first_run(t0), t0 + 10s);
  EXPECT_LT(s.first_run(t0), t0 + 10s);
  EXPECT_EQ(s.first_run(t0), t0);
  EXPECT_EQ(s.first_run(t0), t0 + 5s);  // NaN: the middle
  probe_schedule no_source{policy(10s), nullptr};
  EXPECT_EQ(no_source.first_run(t0), t0 + 5s);
}

TEST(probe_schedule, next_run_counts_from_completion_within_jitter) {
  probe_schedule s{policy(10s, 10), fixed({0.0, 0.5, 0.999999})};
  ASSERT_TRUE(s.try_start(t0).run);
  // The run took 4 s: the next gap starts when it ended, so runs never overlap.
  const schedule_time done = t0 + 4s;
  EXPECT_EQ(s.next_run(done, false), done + 9s);
  EXPECT_EQ(s.next_run(done, false), done + 10s);
  EXPECT_EQ(s.next_run(done, false), done + 11s);  // 10.999998 s, rounded to the millisecond
}

TEST(probe_schedule, jitter_stays_in_bounds_and_varies) {
  std::mt19937 rng{7};
  std::uniform_real_distribution<double> uniform{0.0, 1.0};
  probe_schedule s{policy(20s, 25), [&] { return uniform(rng); }};
  milliseconds lo = 1h;
  milliseconds hi = 0ms;
  schedule_time now = t0;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(s.try_start(now).run);
    const schedule_time done = now + 3s;
    const schedule_time next = s.next_run(done, false);
    const auto gap = std::chrono::duration_cast<milliseconds>(next - done);
    lo = std::min(lo, gap);
    hi = std::max(hi, gap);
    ASSERT_GE(next, done);  // never before the previous run finished
    now = next;
  }
  EXPECT_GE(lo, 15s);
  EXPECT_LE(hi, 25s);
  EXPECT_LT(lo, 15500ms);
  EXPECT_GT(hi, 24500ms);
}

TEST(probe_schedule, zero_jitter_is_exact_and_jitter_is_capped) {
  probe_schedule exact{policy(10s, 0), fixed({0.0, 0.999})};
  EXPECT_EQ(exact.next_run(t0, false), t0 + 10s);
  EXPECT_EQ(exact.next_run(t0, false), t0 + 10s);
  probe_schedule wild{policy(10s, 400), fixed({0.0})};
  EXPECT_EQ(wild.policy().jitter_percent, 50);
  EXPECT_EQ(wild.next_run(t0, false), t0 + 5s);
}

TEST(probe_schedule, unhealthy_probes_run_more_often) {
  const schedule_policy p = make_schedule_policy(probe(60s, 5s), probe_defaults{});
  EXPECT_EQ(p.unhealthy_interval, 20s);
  probe_schedule s{p, fixed({0.5})};
  EXPECT_EQ(s.next_run(t0, true), t0 + 20s);
  EXPECT_EQ(s.next_run(t0, false), t0 + 60s);
}

struct unhealthy_case {
  milliseconds interval;
  milliseconds timeout;
  milliseconds expected;
};
void PrintTo(const unhealthy_case& c, std::ostream* os) {
  *os << c.interval.count() << "ms/" << c.timeout.count() << "ms";
}

class unhealthy_interval : public testing::TestWithParam<unhealthy_case> {};

TEST_P(unhealthy_interval, is_a_third_but_at_least_one_timeout_and_one_second) {
  const unhealthy_case& c = GetParam();
  EXPECT_EQ(make_schedule_policy(probe(c.interval, c.timeout), probe_defaults{}).unhealthy_interval,
            c.expected);
}

INSTANTIATE_TEST_SUITE_P(table, unhealthy_interval,
                         testing::Values(unhealthy_case{15s, 5s, 5s}, unhealthy_case{60s, 5s, 20s},
                                         unhealthy_case{60s, 30s, 30s}, unhealthy_case{2s, 500ms, 1s},
                                         unhealthy_case{900ms, 500ms, 900ms}, unhealthy_case{15s, 15s, 15s}));

TEST(make_schedule_policy, takes_the_probe_values_and_default_jitter) {
  probe_defaults d;
  d.jitter_percent = 20;
  const schedule_policy p = make_schedule_policy(probe(30s, 2s), d);
  EXPECT_EQ(p.interval, 30s);
  EXPECT_EQ(p.timeout, 2s);
  EXPECT_EQ(p.jitter_percent, 20);
  EXPECT_EQ(p.min_spacing, 0ms);
  EXPECT_FALSE(p.budget);
  // Unset values (0) fall back to the defaults.
  const schedule_policy fallback = make_schedule_policy(probe(0ms, 0ms), d);
  EXPECT_EQ(fallback.interval, d.interval);
  EXPECT_EQ(fallback.timeout, d.timeout);
}

TEST(probe_schedule, risky_probes_keep_their_distance) {
  const schedule_policy p = make_schedule_policy(probe(15s, 5s, {"mutating", "risky"}), probe_defaults{});
  EXPECT_EQ(p.min_spacing, risky_min_spacing);
  EXPECT_EQ(p.unhealthy_interval, 15s);
  probe_schedule s{p, fixed({0.5})};
  ASSERT_TRUE(s.try_start(t0).run);
  EXPECT_EQ(s.next_run(t0 + 1s, true), t0 + 5min);
  // Called too early anyway (e.g. after a reload): skipped, with the time it may run.
  const auto early = s.try_start(t0 + 1min);
  EXPECT_FALSE(early.run);
  EXPECT_EQ(early.next, t0 + 5min);
  EXPECT_TRUE(s.try_start(t0 + 5min).run);
}

TEST(probe_schedule, budget_exhaustion_skips_until_the_window_frees) {
  schedule_policy p = policy(10s, 0);
  p.budget = probe_budget{3, 1h};
  probe_schedule s{p, fixed({0.5})};
  EXPECT_EQ(s.budget_left(t0), 3);
  schedule_time now = t0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(s.try_start(now).run) << i;
    now = s.next_run(now + 1s, false);
  }
  EXPECT_EQ(now, t0 + 33s);
  EXPECT_EQ(s.budget_left(now), 0);
  const auto skipped = s.try_start(now);
  EXPECT_FALSE(skipped.run);
  EXPECT_EQ(skipped.next, t0 + 1h);  // when the first start leaves the window
  EXPECT_FALSE(s.try_start(t0 + 1h - 1ms).run);
  EXPECT_TRUE(s.try_start(t0 + 1h).run);
  EXPECT_EQ(s.budget_left(t0 + 1h), 0);  // starts 2, 3 and the new one
  EXPECT_EQ(s.budget_left(t0 + 1h + 11s), 1);
}

TEST(probe_schedule, budget_skip_waits_at_least_an_interval) {
  schedule_policy p = policy(10min, 0);
  p.budget = probe_budget{1, 1min};
  probe_schedule s{p, fixed({0.5})};
  ASSERT_TRUE(s.try_start(t0).run);
  const auto skipped = s.try_start(t0 + 1s);
  EXPECT_FALSE(skipped.run);
  EXPECT_EQ(skipped.next, t0 + 1s + 10min);
}

TEST(probe_schedule, budget_resets_when_mesher_restarts) {
  const schedule_policy p = make_schedule_policy(probe(15s, 5s, {"budget"}), probe_defaults{});
  ASSERT_TRUE(p.budget);
  EXPECT_EQ(*p.budget, default_budget);
  EXPECT_EQ(p.unhealthy_interval, 15s);  // failing faster would only burn the budget
  probe_schedule s{p, fixed({0.5})};
  for (int i = 0; i < default_budget.max_runs; ++i) {
    ASSERT_TRUE(s.try_start(t0 + i * 1s).run);
  }
  EXPECT_FALSE(s.try_start(t0 + 1min).run);
  s.reset_budget();
  EXPECT_TRUE(s.try_start(t0 + 1min).run);
  EXPECT_EQ(s.budget_left(t0 + 1min), default_budget.max_runs - 1);
}

TEST(probe_schedule, unbudgeted_probes_report_no_budget) {
  probe_schedule s{policy(10s), fixed({0.5})};
  EXPECT_EQ(s.budget_left(t0), std::nullopt);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(s.try_start(t0 + i * 1s).run);
  }
}

TEST(probe_schedule, hostile_policies_are_normalised) {
  schedule_policy p;
  p.interval = -5s;
  p.unhealthy_interval = 1h;
  p.budget = probe_budget{1'000'000, -1s};
  probe_schedule s{p, fixed({0.5})};
  EXPECT_EQ(s.policy().interval, 1ms);
  EXPECT_EQ(s.policy().unhealthy_interval, 1ms);
  EXPECT_EQ(s.policy().budget->max_runs, max_budget_runs);
  EXPECT_EQ(s.policy().budget->window, 1ms);
}

}  // namespace
}  // namespace meshwatch

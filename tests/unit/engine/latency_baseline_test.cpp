#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "daemon/latency_baseline.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;

baseline_policy small_policy() {
  baseline_policy p;
  p.baseline_samples = 100;
  p.current_samples = 11;  // odd: the current median is one sample, so shift tests are exact
  p.min_baseline_samples = 30;
  p.factor = 2.0;
  p.min_increase = 20ms;
  p.consecutive = 3;
  return p;
}

// Latencies around `center` with ±10% noise, from a seeded generator so runs are repeatable.
class noisy {
 public:
  explicit noisy(unsigned seed) : rng_(seed) {}
  microseconds around(microseconds center) {
    std::uniform_real_distribution<double> spread{0.9, 1.1};
    return microseconds{static_cast<std::int64_t>(static_cast<double>(center.count()) * spread(rng_))};
  }

 private:
  std::mt19937 rng_;
};

TEST(latency_baseline, no_verdict_until_enough_samples) {
  latency_baseline b{small_policy()};
  baseline_verdict v;
  // 11 fill the current window, then 30 more must age into the baseline.
  for (int i = 0; i < 40; ++i) {
    v = b.observe(50ms);
    EXPECT_FALSE(v.evaluated) << i;
    EXPECT_EQ(v.ratio, 0);
  }
  v = b.observe(50ms);
  EXPECT_TRUE(v.evaluated);
  EXPECT_DOUBLE_EQ(v.ratio, 1.0);
  EXPECT_EQ(b.baseline_size(), 30U);
  EXPECT_EQ(b.current_size(), 11U);
}

TEST(latency_baseline, stable_latency_never_regresses) {
  latency_baseline b{small_policy()};
  noisy n{1};
  for (int i = 0; i < 5000; ++i) {
    const baseline_verdict v = b.observe(n.around(80ms));
    ASSERT_FALSE(v.regressed) << i;
    ASSERT_FALSE(v.changed);
    if (v.evaluated) {
      ASSERT_GT(v.ratio, 0.8);
      ASSERT_LT(v.ratio, 1.25);
    }
  }
  EXPECT_EQ(b.baseline_size(), 100U);  // bounded
  EXPECT_EQ(b.current_size(), 11U);
}

TEST(latency_baseline, outliers_do_not_move_the_median) {
  latency_baseline b{small_policy()};
  noisy n{2};
  for (int i = 0; i < 200; ++i) {
    // One run in ten hits a 5 s timeout-length stall: medians ignore it, means would not.
    const baseline_verdict v = b.observe(i % 10 == 0 ? microseconds{5s} : n.around(40ms));
    ASSERT_FALSE(v.regressed) << i;
  }
  EXPECT_LT(*b.baseline_median(), 45ms);
  EXPECT_EQ(*b.baseline_p95(), 5s);
}

TEST(latency_baseline, a_threefold_shift_regresses_after_k_evaluations) {
  latency_baseline b{small_policy()};
  noisy n{3};
  for (int i = 0; i < 200; ++i) {
    ASSERT_FALSE(b.observe(n.around(50ms)).regressed);
  }
  int shifted = 0;
  int first_over = -1;
  baseline_verdict v;
  while (!v.regressed && shifted < 100) {
    v = b.observe(n.around(150ms));
    ++shifted;
    if (first_over < 0 && v.ratio > 2.0) {
      first_over = shifted;
    }
  }
  ASSERT_TRUE(v.regressed);
  EXPECT_TRUE(v.changed);
  EXPECT_GT(v.ratio, 2.0);
  // The current median crosses after half the window (6 of 11), then K = 3 evaluations.
  EXPECT_EQ(first_over, 6);
  EXPECT_EQ(shifted, first_over + 2);
  // Logged once: the next sample is still regressed but not a change.
  const baseline_verdict next = b.observe(n.around(150ms));
  EXPECT_TRUE(next.regressed);
  EXPECT_FALSE(next.changed);
}

TEST(latency_baseline, recovers_after_k_good_evaluations) {
  latency_baseline b{small_policy()};
  for (int i = 0; i < 100; ++i) {
    b.observe(50ms);
  }
  for (int i = 0; i < 20; ++i) {
    b.observe(200ms);
  }
  ASSERT_TRUE(b.regressed());
  int changes = 0;
  int back = 0;
  while (b.regressed() && back < 100) {
    changes += b.observe(50ms).changed ? 1 : 0;
    ++back;
  }
  EXPECT_FALSE(b.regressed());
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(back, 6 + 2);
}

TEST(latency_baseline, a_spike_shorter_than_k_is_ignored) {
  baseline_policy p = small_policy();
  p.current_samples = 3;
  p.consecutive = 5;
  latency_baseline b{p};
  for (int i = 0; i < 100; ++i) {
    b.observe(50ms);
  }
  // Four slow runs: the median of 3 is over for 4 evaluations (then recovers) — fewer than 5.
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(b.observe(500ms).regressed);
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(b.observe(50ms).regressed);
  }
}

TEST(latency_baseline, the_absolute_floor_ignores_tiny_latencies) {
  latency_baseline b{small_policy()};
  for (int i = 0; i < 100; ++i) {
    b.observe(1ms);
  }
  // 1 ms → 3 ms on loopback is a 3× ratio but nothing anyone should be paged for.
  baseline_verdict v;
  double highest = 0;
  for (int i = 0; i < 100; ++i) {
    v = b.observe(3ms);
    ASSERT_FALSE(v.regressed) << i;
    highest = std::max(highest, v.ratio);
  }
  EXPECT_DOUBLE_EQ(highest, 3.0);  // the ratio is still exported as is
  // 1 ms → 30 ms clears the floor.
  for (int i = 0; i < 30 && !v.regressed; ++i) {
    v = b.observe(30ms);
  }
  EXPECT_TRUE(v.regressed);
}

TEST(latency_baseline, a_persistent_shift_becomes_the_new_normal) {
  latency_baseline b{small_policy()};
  for (int i = 0; i < 100; ++i) {
    b.observe(50ms);
  }
  bool was_regressed = false;
  for (int i = 0; i < 200; ++i) {
    const bool regressed = b.observe(150ms).regressed;
    was_regressed = was_regressed || regressed;
  }
  EXPECT_TRUE(was_regressed);
  EXPECT_FALSE(b.regressed());
  EXPECT_EQ(*b.baseline_median(), 150ms);
}

TEST(latency_baseline, zero_and_negative_latencies_are_safe) {
  latency_baseline b{small_policy()};
  for (int i = 0; i < 100; ++i) {
    b.observe(microseconds{i % 2 == 0 ? 0 : -5});
  }
  const baseline_verdict v = b.observe(0us);
  EXPECT_TRUE(v.evaluated);
  EXPECT_EQ(v.ratio, 0.0);
  EXPECT_FALSE(v.regressed);
}

// `regression:` from the config, in the small windows of these tests.
baseline_policy configured(const regression_config& r) {
  baseline_policy p = baseline_policy::from(r);
  const baseline_policy small = small_policy();
  p.baseline_samples = small.baseline_samples;
  p.current_samples = small.current_samples;
  p.min_baseline_samples = small.min_baseline_samples;
  return p;
}

TEST(latency_baseline, the_config_defaults_are_the_built_in_policy) {
  const baseline_policy built_in;
  const baseline_policy from_config = baseline_policy::from(regression_config{});
  EXPECT_EQ(from_config.factor, built_in.factor);
  EXPECT_EQ(from_config.min_increase, built_in.min_increase);
  EXPECT_EQ(from_config.consecutive, built_in.consecutive);
  EXPECT_EQ(from_config.baseline_samples, built_in.baseline_samples);  // not configurable
}

TEST(latency_baseline, a_configured_factor_of_four_tolerates_a_threefold_shift) {
  const regression_config r{4.0, 20ms, 2};
  latency_baseline b{configured(r)};
  for (int i = 0; i < 100; ++i) {
    b.observe(50ms);
  }
  double highest = 0;
  for (int i = 0; i < 100; ++i) {
    const baseline_verdict v = b.observe(150ms);
    ASSERT_FALSE(v.regressed) << i;  // the default factor 2 flags this (test above)
    highest = std::max(highest, v.ratio);
  }
  EXPECT_DOUBLE_EQ(highest, 3.0);

  latency_baseline fresh{configured(r)};
  for (int i = 0; i < 100; ++i) {
    fresh.observe(50ms);
  }
  int shifted = 0;
  baseline_verdict v;
  while (!v.regressed && shifted < 100) {
    v = fresh.observe(250ms);
    ++shifted;
  }
  ASSERT_TRUE(v.regressed);
  EXPECT_DOUBLE_EQ(v.ratio, 5.0);
  // Over the factor once the current median moves (6 of 11), then 2 evaluations in a row.
  EXPECT_EQ(shifted, 6 + 1);
}

TEST(latency_baseline, a_configured_min_increase_raises_the_floor) {
  // 10 ms → 40 ms is 4× but only 30 ms slower: under a 50 ms floor it is not a regression.
  latency_baseline b{configured(regression_config{2.0, 50ms, 3})};
  for (int i = 0; i < 100; ++i) {
    b.observe(10ms);
  }
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(b.observe(40ms).regressed) << i;
  }
  latency_baseline fresh{configured(regression_config{2.0, 50ms, 3})};
  for (int i = 0; i < 100; ++i) {
    fresh.observe(10ms);
  }
  baseline_verdict v;
  for (int i = 0; i < 30 && !v.regressed; ++i) {
    v = fresh.observe(70ms);
  }
  EXPECT_TRUE(v.regressed);
}

TEST(latency_baseline, quantiles) {
  baseline_policy p = small_policy();
  p.current_samples = 1;
  p.min_baseline_samples = 1;
  latency_baseline b{p};
  EXPECT_FALSE(b.baseline_median());
  for (int i = 1; i <= 21; ++i) {
    b.observe(microseconds{i * 1000});  // 1..20 ms age into the baseline; 21 is current
  }
  EXPECT_EQ(*b.baseline_median(), 10500us);  // mean of 10 and 11
  EXPECT_EQ(*b.baseline_p95(), 19ms);        // nearest rank: ceil(0.95 × 20) = 19
  EXPECT_EQ(*b.current_median(), 21ms);
}

}  // namespace
}  // namespace meshwatch

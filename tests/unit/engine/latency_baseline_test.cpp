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

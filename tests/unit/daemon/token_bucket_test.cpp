// The admin server's request-rate bound: a full bucket serves a burst, then the rate.
#include "daemon/token_bucket.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

TEST(token_bucket, a_full_bucket_serves_the_burst_then_refuses) {
  const auto t0 = token_bucket::clock::time_point{} + 1h;
  token_bucket bucket(10, 3, t0);
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0));
}

TEST(token_bucket, tokens_come_back_at_the_rate_and_never_beyond_the_burst) {
  const auto t0 = token_bucket::clock::time_point{} + 1h;
  token_bucket bucket(10, 3, t0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0 + 50ms));  // half a token
  EXPECT_TRUE(bucket.try_take(t0 + 100ms));  // one
  EXPECT_FALSE(bucket.try_take(t0 + 100ms));
  // An hour idle saves up the burst, not 36000 tokens.
  const auto later = t0 + 1h;
  int served = 0;
  while (bucket.try_take(later)) ++served;
  EXPECT_EQ(served, 3);
}

TEST(token_bucket, time_going_backwards_adds_nothing) {
  const auto t0 = token_bucket::clock::time_point{} + 1h;
  token_bucket bucket(10, 1, t0);
  ASSERT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0 - 10s));
  EXPECT_TRUE(bucket.try_take(t0 + 100ms));
}

}  // namespace
}  // namespace meshwatch

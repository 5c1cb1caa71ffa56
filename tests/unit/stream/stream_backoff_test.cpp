#include <gtest/gtest.h>

#include "daemon/stream_backoff.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

TEST(stream_backoff, doubles_from_the_initial_delay_up_to_the_cap) {
  stream_backoff b({250ms, 2000ms, 0.0});
  EXPECT_EQ(b.next(0.5), 250ms);
  EXPECT_EQ(b.next(0.5), 500ms);
  EXPECT_EQ(b.next(0.5), 1000ms);
  EXPECT_EQ(b.next(0.5), 2000ms);
  EXPECT_EQ(b.next(0.5), 2000ms);
  EXPECT_EQ(b.failures(), 5);
}

TEST(stream_backoff, reset_starts_again_from_the_initial_delay) {
  stream_backoff b({100ms, 10s, 0.0});
  b.next(0.5);
  b.next(0.5);
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_EQ(b.next(0.5), 100ms);
}

TEST(stream_backoff, jitter_spreads_the_delay_both_ways_and_never_passes_the_cap) {
  stream_backoff low({1000ms, 30s, 0.2});
  EXPECT_EQ(low.next(0.0), 800ms);
  stream_backoff high({1000ms, 30s, 0.2});
  EXPECT_EQ(high.next(1.0), 1200ms);
  stream_backoff capped({1000ms, 1000ms, 0.5});
  EXPECT_EQ(capped.next(1.0), 1000ms);  // jitter above the cap is cut off
  EXPECT_EQ(capped.next(0.0), 500ms);
}

TEST(stream_backoff, stays_bounded_after_very_many_failures) {
  stream_backoff b({1ms, 30s, 0.0});
  std::chrono::milliseconds last{};
  for (int i = 0; i < 10000; ++i) last = b.next(0.5);
  EXPECT_EQ(last, 30s);
}

TEST(stream_backoff, odd_policies_are_clamped_not_trusted) {
  stream_backoff b({0ms, 0ms, 7.0});  // no initial delay, cap below it, jitter over 100 %
  auto d = b.next(0.0);
  EXPECT_GE(d, 1ms);
  EXPECT_LE(d, 1ms);
  stream_backoff draw({100ms, 1s, 0.0});
  EXPECT_EQ(draw.next(-3.0), 100ms);  // a draw outside [0, 1] is clamped
}

}  // namespace
}  // namespace meshwatch

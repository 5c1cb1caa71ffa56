#include "daemon/incidents/crash_attribution.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using tp = crash_attribution::time_point;

const tp t0 = tp{} + 1000h;

TEST(crash_attribution, one_crash_suspects_nobody) {
  crash_attribution a;
  auto v = a.on_crash(t0, {{"ingest", t0 - 1s}});
  EXPECT_FALSE(v.suspect.has_value());
  EXPECT_FALSE(v.newly_suspended);
}

TEST(crash_attribution, the_same_probe_before_two_crashes_is_suspended_once) {
  crash_attribution a;
  a.on_crash(t0, {{"ingest", t0 - 1s}});
  auto v = a.on_crash(t0 + 60s, {{"ingest", t0 + 59s}, {"health", t0 + 58s}});
  ASSERT_TRUE(v.suspect.has_value());
  EXPECT_EQ(*v.suspect, "ingest");
  EXPECT_TRUE(v.newly_suspended);
  EXPECT_EQ(v.crashes, 2U);
  EXPECT_TRUE(a.suspended("ingest"));
  EXPECT_FALSE(a.suspended("health"));
  auto again = a.on_crash(t0 + 120s, {{"ingest", t0 + 119s}});
  EXPECT_EQ(again.suspect.value_or(""), "ingest");
  EXPECT_FALSE(again.newly_suspended);
  EXPECT_EQ(again.crashes, 3U);
}

TEST(crash_attribution, different_probes_before_each_crash_suspect_nobody) {
  crash_attribution a;
  a.on_crash(t0, {{"a", t0 - 1s}});
  auto v = a.on_crash(t0 + 60s, {{"b", t0 + 59s}});
  EXPECT_FALSE(v.suspect.has_value());
}

TEST(crash_attribution, a_probe_twice_in_one_window_counts_once) {
  crash_attribution a;
  auto v = a.on_crash(t0, {{"a", t0 - 2s}, {"a", t0 - 1s}});
  EXPECT_FALSE(v.suspect.has_value());
}

TEST(crash_attribution, more_crashes_beat_proximity_and_proximity_breaks_ties) {
  crash_attribution a;
  a.on_crash(t0, {{"often", t0 - 3s}});
  a.on_crash(t0 + 60s, {{"often", t0 + 57s}, {"near", t0 + 59s}});  // "often" suspended here
  auto v = a.on_crash(t0 + 120s, {{"often", t0 + 117s}, {"near", t0 + 119s}});
  EXPECT_EQ(v.suspect.value_or(""), "often");  // 3 crashes against 2

  crash_attribution b;
  b.on_crash(t0, {{"x", t0 - 3s}, {"y", t0 - 1s}});
  auto w = b.on_crash(t0 + 60s, {{"x", t0 + 57s}, {"y", t0 + 59s}});
  EXPECT_EQ(w.suspect.value_or(""), "y");
}

TEST(crash_attribution, history_is_bounded_by_count_and_age) {
  crash_attribution::options o;
  o.history = 3;
  o.max_age = 3600s;
  crash_attribution a(o);
  a.on_crash(t0, {{"p", t0 - 1s}});
  for (int i = 1; i <= 3; ++i) {
    a.on_crash(t0 + i * 60s, {{"other", t0 + i * 60s - 1s}});
  }
  EXPECT_EQ(a.history_size(), 3U);
  EXPECT_FALSE(a.on_crash(t0 + 300s, {{"p", t0 + 299s}}).suspect.has_value());  // the first crash fell out

  crash_attribution old;
  old.on_crash(t0, {{"p", t0 - 1s}});
  EXPECT_FALSE(old.on_crash(t0 + 3601s, {{"p", t0 + 3600s}}).suspect.has_value());
  EXPECT_EQ(old.history_size(), 1U);
}

TEST(crash_attribution, resume_allows_a_new_suspension) {
  crash_attribution a;
  a.on_crash(t0, {{"p", t0 - 1s}});
  EXPECT_TRUE(a.on_crash(t0 + 10s, {{"p", t0 + 9s}}).newly_suspended);
  a.resume("p");
  EXPECT_FALSE(a.suspended("p"));
  EXPECT_TRUE(a.on_crash(t0 + 20s, {{"p", t0 + 19s}}).newly_suspended);
}

}  // namespace
}  // namespace meshwatch

#include "daemon/db/partition_horizon.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

sys_days date(int y, unsigned m, unsigned d) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

TEST(partition_name, parses_mesher_names_only) {
  EXPECT_EQ(parse_events_partition("events_20260217"), date(2026, 2, 17));
  EXPECT_EQ(parse_events_partition("events_20240229"), date(2024, 2, 29));  // leap day
  EXPECT_FALSE(parse_events_partition("events_20250229"));                  // not a leap year
  EXPECT_FALSE(parse_events_partition("events_20261301"));
  EXPECT_FALSE(parse_events_partition("events_2026021"));
  EXPECT_FALSE(parse_events_partition("events_202602170"));
  EXPECT_FALSE(parse_events_partition("events_2026021x"));
  EXPECT_FALSE(parse_events_partition("events_default"));
  EXPECT_FALSE(parse_events_partition("Events_20260217"));
  EXPECT_FALSE(parse_events_partition("issues_20260217"));
}

TEST(partition_name, formats_like_mesher) {
  EXPECT_EQ(events_partition_name(date(2026, 2, 7)), "events_20260207");
  EXPECT_EQ(iso_date(date(2026, 12, 31)), "2026-12-31");
  EXPECT_EQ(parse_yyyymmdd("20261231"), date(2026, 12, 31));
}

std::vector<std::string> week_from(sys_days first, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    names.push_back(events_partition_name(first + days{i}));
  }
  return names;
}

TEST(partition_horizon, a_fresh_start_gives_six_days) {
  const sys_days today = date(2026, 2, 17);
  EXPECT_EQ(partition_horizon_days(today, week_from(today, 7)), 6);
}

TEST(partition_horizon, counts_from_today_as_the_week_runs_out) {
  const sys_days started = date(2026, 2, 17);
  auto names = week_from(started, 7);
  EXPECT_EQ(partition_horizon_days(started + days{5}, names), 1);
  EXPECT_EQ(partition_horizon_days(started + days{6}, names), 0);
  EXPECT_EQ(partition_horizon_days(started + days{7}, names), -1);  // F-12: inserts fail now
}

TEST(partition_horizon, stops_at_a_gap_and_ignores_other_tables) {
  const sys_days today = date(2026, 12, 30);  // across the year boundary
  std::vector<std::string> names = {"events_20261230", "events_20261231", "events_20270102",
                                    "events_default",  "events_2027010x", "events_20261229"};
  EXPECT_EQ(partition_horizon_days(today, names), 1);
  names.push_back("events_20270101");
  EXPECT_EQ(partition_horizon_days(today, names), 3);
}

TEST(partition_horizon, none_at_all) { EXPECT_EQ(partition_horizon_days(date(2026, 1, 1), {}), -1); }

}  // namespace
}  // namespace meshwatch

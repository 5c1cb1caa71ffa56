#include <gtest/gtest.h>

#include "config/duration.hpp"

namespace meshwatch {
namespace {

using std::chrono::milliseconds;

struct valid_case {
  const char* text;
  std::int64_t millis;
};

TEST(parse_duration, accepts_units_and_compounds) {
  const valid_case cases[] = {
      {"0s", 0},
      {"250ms", 250},
      {"15s", 15'000},
      {"5m", 300'000},
      {"1h", 3'600'000},
      {"1m30s", 90'000},
      {"1h30m", 5'400'000},
      {"1s500ms", 1'500},
      {"2h3m4s5ms", 7'384'005},
      {"90s", 90'000},  // a unit may exceed the next one up
      {"8760h", 31'536'000'000},
  };
  for (const valid_case& c : cases) {
    const parsed<milliseconds> d = parse_duration(c.text);
    ASSERT_TRUE(d) << c.text << ": " << d.error;
    EXPECT_EQ(d.value->count(), c.millis) << c.text;
  }
}

struct invalid_case {
  const char* text;
  const char* error;
};

TEST(parse_duration, rejects_with_a_reason) {
  const invalid_case cases[] = {
      {"", "empty duration (use e.g. 250ms, 15s, 5m, 1h or 1m30s)"},
      {"15", "missing unit after 15 (use ms, s, m or h)"},
      {"1m30", "missing unit after 1m30 (use ms, s, m or h)"},
      {"-1s", "negative durations are not allowed"},
      {"+1s", "not a duration (use e.g. 250ms, 15s, 5m, 1h or 1m30s)"},
      {"1.5s", "fractions are not allowed; use a smaller unit, e.g. 1500ms"},
      {"1,5s", "fractions are not allowed; use a smaller unit, e.g. 1500ms"},
      {"1d", "unknown unit 'd' (use ms, s, m or h)"},
      {"15S", "unknown unit 'S' (use ms, s, m or h)"},
      {"15 s", "unknown unit ' s' (use ms, s, m or h)"},
      {" 15s", "not a duration (use e.g. 250ms, 15s, 5m, 1h or 1m30s)"},
      {"s", "not a duration (use e.g. 250ms, 15s, 5m, 1h or 1m30s)"},
      {"1s1m", "units must go from largest to smallest, each at most once (e.g. 1h30m)"},
      {"1s1s", "units must go from largest to smallest, each at most once (e.g. 1h30m)"},
      {"8761h", "too large (the maximum is 8760h)"},
      {"8760h1ms", "too large (the maximum is 8760h)"},
      {"99999999999999999999999s", "too large (the maximum is 8760h)"},
  };
  for (const invalid_case& c : cases) {
    const parsed<milliseconds> d = parse_duration(c.text);
    EXPECT_FALSE(d) << "'" << c.text << "' parsed as " << (d ? d.value->count() : 0);
    EXPECT_EQ(d.error, c.error) << "'" << c.text << "'";
  }
}

TEST(format_duration, is_canonical_and_round_trips) {
  EXPECT_EQ(format_duration(milliseconds{0}), "0s");
  EXPECT_EQ(format_duration(milliseconds{250}), "250ms");
  EXPECT_EQ(format_duration(milliseconds{90'000}), "1m30s");
  EXPECT_EQ(format_duration(milliseconds{3'600'001}), "1h1ms");
  for (std::int64_t ms : {1LL, 999LL, 1'000LL, 61'001LL, 7'384'005LL, 31'536'000'000LL}) {
    const parsed<milliseconds> back = parse_duration(format_duration(milliseconds{ms}));
    ASSERT_TRUE(back) << ms;
    EXPECT_EQ(back.value->count(), ms);
  }
}

}  // namespace
}  // namespace meshwatch

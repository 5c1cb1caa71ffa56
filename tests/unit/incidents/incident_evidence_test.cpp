#include "daemon/incidents/incident_evidence.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using tp = incident_evidence::time_point;

const tp t0 = tp{} + 1000h;

incident_evidence::failure failure_of(const std::string& target, const std::string& probe, tp at,
                                      bool starting = false) {
  incident_evidence::failure f;
  f.target = target;
  f.failure.probe = probe;
  f.failure.starting = starting;
  f.at = at;
  return f;
}

TEST(incident_evidence, rings_keep_the_newest_up_to_their_capacity) {
  incident_evidence ev({3, 2, 2, 2});
  for (int i = 0; i < 10; ++i) {
    ev.add(incident_evidence::probe_start{"p" + std::to_string(i), "t", "/", t0 + i * 1s});
    ev.add(failure_of("t", "p" + std::to_string(i), t0 + i * 1s));
  }
  EXPECT_EQ(ev.probe_starts(), 3U);
  EXPECT_EQ(ev.probe_failures(), 2U);
  const auto starts = ev.starts_between("t", t0, t0 + 1h);
  ASSERT_EQ(starts.size(), 3U);
  EXPECT_EQ(starts.front().probe, "p7");
  EXPECT_EQ(starts.back().probe, "p9");
}

TEST(incident_evidence, queries_filter_by_target_and_time) {
  incident_evidence ev({16, 16, 4, 4});
  ev.add(incident_evidence::probe_start{"a", "x", "/", t0});
  ev.add(incident_evidence::probe_start{"b", "y", "/", t0 + 1s});
  ev.add(incident_evidence::probe_start{"c", "x", "/", t0 + 2s});
  EXPECT_EQ(ev.starts_between("x", t0 + 1s, t0 + 5s).size(), 1U);
  EXPECT_EQ(ev.starts_between("x", t0, t0 + 2s).size(), 2U);
  EXPECT_TRUE(ev.starts_between("z", t0, t0 + 5s).empty());
}

TEST(incident_evidence, failing_set_counts_distinct_probes_outside_start_grace) {
  incident_evidence ev({16, 16, 4, 4});
  ev.add(failure_of("t", "a", t0));
  ev.add(failure_of("t", "a", t0 + 1s));
  ev.add(failure_of("t", "b", t0 + 2s, /*starting=*/true));
  ev.add(failure_of("u", "c", t0 + 2s));
  ev.add(failure_of("t", "d", t0 + 3s));
  const auto set = ev.failing_since("t", t0);
  EXPECT_EQ(set.distinct_probes, 2U);
  EXPECT_EQ(set.earliest, t0);
  EXPECT_EQ(ev.failing_since("t", t0 + 500ms).earliest, t0 + 1s);
  EXPECT_EQ(ev.failing_since("t", t0 + 10s).distinct_probes, 0U);
}

TEST(incident_evidence, panics_are_taken_once) {
  incident_evidence ev({16, 16, 4, 4});
  ev.add(incident_evidence::panic{"t", {}, {{}, t0}});
  ev.add(incident_evidence::panic{"t", {}, {{}, t0 + 10s}});
  EXPECT_EQ(ev.oldest_panic(), t0);
  EXPECT_EQ(ev.take_panics("t", t0 - 1s, t0 + 1s).size(), 1U);
  EXPECT_TRUE(ev.take_panics("t", t0 - 1s, t0 + 1s).empty());
  EXPECT_EQ(ev.oldest_panic(), t0 + 10s);
  EXPECT_TRUE(ev.take_panics_before(t0 + 9s).empty());
  EXPECT_EQ(ev.take_panics_before(t0 + 10s).size(), 1U);
  EXPECT_EQ(ev.panics(), 0U);
  EXPECT_FALSE(ev.oldest_panic().has_value());
}

TEST(incident_evidence, prune_drops_old_starts_and_failures_only) {
  incident_evidence ev({16, 16, 4, 4});
  ev.add(incident_evidence::probe_start{"a", "t", "/", t0});
  ev.add(failure_of("t", "a", t0));
  ev.add(incident_evidence::console_line{"t", {}, t0});
  ev.prune(t0 + 1s);
  EXPECT_EQ(ev.probe_starts(), 0U);
  EXPECT_EQ(ev.probe_failures(), 0U);
  EXPECT_EQ(ev.console_lines(), 1U);  // not_ready looks back to the process start
}

}  // namespace
}  // namespace meshwatch

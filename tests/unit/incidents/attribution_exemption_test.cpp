// Crash attribution must never suspect the fast-path probe: it runs no Mesh code (FAILURES.md D5)
// and readiness after every restart waits for it to pass, so suspending it would leave a
// restarted Mesher "starting" forever. It runs so often that it is usually the last probe to
// start before any crash, which made it the tie-break winner.
#include <gtest/gtest.h>

#include <memory>

#include "daemon/incidents/incident_correlator.hpp"
#include "tests/unit/incidents/incident_test_util.hpp"

namespace meshwatch {
namespace {

using namespace test;

class attribution_exemption : public ::testing::Test {
 protected:
  void make(bool exempt_fast_path) {
    if (exempt_fast_path) {
      options.never_suspect = [](std::string_view probe, std::string_view route) {
        return probe == "fast_path" || route == "/__meshwatch";
      };
    }
    c = std::make_unique<incident_correlator>(options, clock.clocks(), rec.callbacks());
    c->on_process_event(process(clock, process_event_kind::started));
  }

  /** A deep probe, then the fast path (last, as it runs every 500 ms), then a silent SIGSEGV. */
  void crash_after_both() {
    c->note_probe_started("dashboard_health", "mesher", "/api/v1/projects/:id/dashboard/health",
                          clock.steady);
    clock.advance(200ms);
    c->note_probe_started("fast_path", "mesher", "/__meshwatch", clock.steady);
    clock.advance(100ms);
    c->on_process_event(exited(clock, exit_status::killed_by(11)));
    clock.advance(30s);
    c->tick();
    c->on_process_event(process(clock, process_event_kind::started));
    clock.advance(10s);
  }

  fake_clock clock;
  recorder rec;
  incident_correlator_options options;
  std::unique_ptr<incident_correlator> c;
};

TEST_F(attribution_exemption, without_it_the_fast_path_wins_the_tie) {
  make(false);
  crash_after_both();
  crash_after_both();
  ASSERT_EQ(rec.suspended.size(), 1U);
  EXPECT_EQ(rec.suspended[0].probe, "fast_path");
}

TEST_F(attribution_exemption, an_exempt_probe_is_never_suspected_but_still_named_as_context) {
  make(true);
  crash_after_both();
  crash_after_both();
  ASSERT_EQ(rec.suspended.size(), 1U);
  EXPECT_EQ(rec.suspended[0].probe, "dashboard_health");
  ASSERT_EQ(rec.opened.size(), 2U);
  EXPECT_EQ(rec.opened[1].suspected_probe, "dashboard_health");
  ASSERT_TRUE(rec.opened[1].probe_before.has_value());
  EXPECT_EQ(rec.opened[1].probe_before->probe, "fast_path");
  EXPECT_EQ(rec.opened[1].probes_started_before.size(), 2U);
  EXPECT_FALSE(c->suspended("mesher", "fast_path"));
}

TEST_F(attribution_exemption, crashes_after_only_the_fast_path_suspect_nothing) {
  make(true);
  for (int i = 0; i < 3; ++i) {
    c->note_probe_started("fast_path", "mesher", "/__meshwatch", clock.steady);
    clock.advance(100ms);
    c->on_process_event(exited(clock, exit_status::killed_by(11)));
    clock.advance(30s);
    c->tick();
    c->on_process_event(process(clock, process_event_kind::started));
  }
  EXPECT_TRUE(rec.suspended.empty());
  ASSERT_EQ(rec.opened.size(), 3U);
  EXPECT_FALSE(rec.opened[2].suspected_probe.has_value());
}

}  // namespace
}  // namespace meshwatch

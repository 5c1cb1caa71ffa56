// An exit by SIGTERM/SIGINT (or 143/130 from a wrapper) is someone stopping Mesher (FAILURES.md
// D1): a deploy, `systemctl restart`. It is recorded as a `stopped` incident — open until the
// next process is ready — never as a crash, and never as a crash-attribution sample.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <memory>
#include <set>

#include "daemon/incidents/incident_correlator.hpp"
#include "daemon/incidents/incident_json.hpp"
#include "tests/unit/incidents/incident_test_util.hpp"

namespace meshwatch {
namespace {

using namespace test;

class external_stop : public ::testing::Test {
 protected:
  void SetUp() override {
    c = std::make_unique<incident_correlator>(options, clock.clocks(), rec.callbacks());
    start_ready();
  }

  void start_ready() {
    c->on_process_event(process(clock, process_event_kind::started));
    c->on_process_event(process(clock, process_event_kind::ready));
    clock.advance(60s);
  }

  /** A deep probe starts, then the process is stopped one second later. */
  void stop_after_probe(exit_status status) {
    c->note_probe_started("ingest_event", "mesher", "/api/v1/events", clock.steady);
    clock.advance(1s);
    c->on_process_event(exited(clock, status));
  }

  std::size_t opened(incident_kind kind) const {
    return static_cast<std::size_t>(std::count_if(rec.opened.begin(), rec.opened.end(),
                                                  [&](const incident& i) { return i.kind == kind; }));
  }

  fake_clock clock;
  recorder rec;
  incident_correlator_options options;
  std::unique_ptr<incident_correlator> c;
};

TEST_F(external_stop, sigterm_is_a_stopped_incident_not_a_crash) {
  stop_after_probe(exit_status::killed_by(SIGTERM));
  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::stopped);
  EXPECT_EQ(to_string(inc.kind), "stopped");
  ASSERT_TRUE(inc.exit.has_value());
  EXPECT_EQ(inc.exit->classification, exit_classification::external_stop);
  EXPECT_EQ(inc.summary.rfind("stopped: SIGTERM", 0), 0U) << inc.summary;
  EXPECT_FALSE(inc.suspected_probe.has_value());
  ASSERT_TRUE(inc.probe_before.has_value());  // context is still kept
  EXPECT_EQ(inc.probe_before->probe, "ingest_event");
}

TEST_F(external_stop, sigint_and_the_wrapper_codes_are_stops_too) {
  stop_after_probe(exit_status::killed_by(SIGINT));
  start_ready();
  stop_after_probe(exit_status::exited_with(143));
  start_ready();
  stop_after_probe(exit_status::exited_with(130));
  EXPECT_EQ(opened(incident_kind::stopped), 3U);
  EXPECT_EQ(opened(incident_kind::crash), 0U);
}

TEST_F(external_stop, it_stays_open_through_the_gap_and_closes_when_the_next_process_is_ready) {
  stop_after_probe(exit_status::killed_by(SIGTERM));
  clock.advance(30s);  // a slow deploy: longer than any correlation window
  c->tick();
  EXPECT_TRUE(rec.closed.empty());
  EXPECT_EQ(c->open_count("mesher"), 1U);
  c->on_process_event(process(clock, process_event_kind::started));
  EXPECT_TRUE(rec.closed.empty());
  clock.advance(2s);
  c->on_process_event(process(clock, process_event_kind::ready));
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].kind, incident_kind::stopped);
  EXPECT_EQ(rec.closed[0].close_reason, "ready");
  // The downtime of the restart is the incident's duration.
  EXPECT_EQ(rec.closed[0].closed_at->mono - rec.closed[0].opened_at.mono, 32s);
}

TEST_F(external_stop, a_restart_that_never_gets_ready_hands_over_to_not_ready) {
  stop_after_probe(exit_status::killed_by(SIGTERM));
  c->on_process_event(process(clock, process_event_kind::started));
  clock.advance(20s);
  c->on_process_event(process(clock, process_event_kind::not_ready));
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "not_ready");
  EXPECT_EQ(opened(incident_kind::not_ready), 1U);
}

TEST_F(external_stop, the_restarted_process_crashing_closes_the_stop_and_opens_a_crash) {
  stop_after_probe(exit_status::killed_by(SIGTERM));
  c->on_process_event(process(clock, process_event_kind::started));
  clock.advance(3s);
  c->on_process_event(exited(clock, exit_status::killed_by(SIGSEGV)));
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].kind, incident_kind::stopped);
  EXPECT_EQ(rec.closed[0].close_reason, "process_exited");
  EXPECT_EQ(opened(incident_kind::crash), 1U);
}

TEST_F(external_stop, repeated_stops_after_the_same_probe_never_suspend_it) {
  for (int i = 0; i < 5; ++i) {
    stop_after_probe(exit_status::killed_by(SIGTERM));
    clock.advance(30s);
    start_ready();
  }
  EXPECT_TRUE(rec.suspended.empty());
  EXPECT_FALSE(c->suspended("mesher", "ingest_event"));
  // Nor do they count towards the next real crash: one SIGSEGV after that probe is no pattern.
  stop_after_probe(exit_status::killed_by(SIGSEGV));
  EXPECT_TRUE(rec.suspended.empty());
  EXPECT_FALSE(rec.opened.back().suspected_probe.has_value());
}

TEST_F(external_stop, a_pending_panic_block_is_not_swallowed_by_a_stop) {
  // A caught-up aborting block, then SIGTERM before its abort: the panic stays its own incident.
  c->on_console_event(panic_block(clock, clock.steady, /*aborted=*/true, /*caught=*/false));
  clock.advance(1s);
  c->on_process_event(exited(clock, exit_status::killed_by(SIGTERM)));
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_TRUE(rec.opened[0].panics.empty());
  clock.advance(options.panic_exit_grace);
  c->tick();
  EXPECT_EQ(opened(incident_kind::panic), 1U);
}

TEST_F(external_stop, the_json_kind_is_stopped) {
  stop_after_probe(exit_status::killed_by(SIGTERM));
  const auto json = incident_to_json(c->open_incidents().front(), incident_json_detail::summary);
  EXPECT_NE(json.find("\"kind\":\"stopped\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"classification\":\"external_stop\""), std::string::npos) << json;
}

TEST(incident_kinds, stopped_is_a_kind_with_its_own_label) {
  EXPECT_NE(std::find(all_incident_kinds.begin(), all_incident_kinds.end(), incident_kind::stopped),
            all_incident_kinds.end());
  std::set<std::string_view> labels;
  for (auto kind : all_incident_kinds) {
    labels.insert(to_string(kind));
  }
  EXPECT_EQ(labels.size(), all_incident_kinds.size());
  EXPECT_EQ(labels.count("stopped"), 1U);
}

}  // namespace
}  // namespace meshwatch

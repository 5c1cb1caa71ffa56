#include "daemon/incidents/incident_correlator.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "tests/unit/incidents/incident_test_util.hpp"

namespace meshwatch {
namespace {

using namespace test;

class correlator_test : public ::testing::Test {
 protected:
  void SetUp() override { make(); }
  void make() { c = std::make_unique<incident_correlator>(options, clock.clocks(), rec.callbacks()); }

  void start_process() { c->on_process_event(process(clock, process_event_kind::started)); }

  /** F-01: the ingestion probe starts, one second later the process dies of SIGSEGV, silently. */
  void ingestion_crash() {
    c->note_probe_started("ingest_event", "mesher", "/api/v1/events", clock.steady);
    clock.advance(1s);
    c->on_process_event(exited(clock, exit_status::killed_by(11, true)));
  }

  /** Lets the crash incident close and the process come back. */
  void recover() {
    clock.advance(30s);
    c->tick();
    start_process();
    c->on_process_event(process(clock, process_event_kind::ready));
    clock.advance(30s);
  }

  fake_clock clock;
  recorder rec;
  incident_correlator_options options;
  std::unique_ptr<incident_correlator> c;
};

TEST_F(correlator_test, silent_segfault_names_the_probe_that_ran_just_before) {
  start_process();
  clock.advance(60s);
  c->note_probe_started("fast_path", "mesher", "/__meshwatch", clock.steady);
  clock.advance(2s);
  ingestion_crash();

  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::crash);
  EXPECT_EQ(inc.target, "mesher");
  ASSERT_TRUE(inc.exit.has_value());
  EXPECT_EQ(inc.exit->classification, exit_classification::native_crash);
  EXPECT_TRUE(inc.panics.empty());
  ASSERT_TRUE(inc.probe_before.has_value());
  EXPECT_EQ(inc.probe_before->probe, "ingest_event");
  EXPECT_EQ(inc.probe_before->route, "/api/v1/events");
  EXPECT_EQ(inc.probe_before->offset, -1000ms);
  ASSERT_EQ(inc.probes_started_before.size(), 2U);  // both within the 5 s attribution window
  EXPECT_FALSE(inc.suspected_probe.has_value());    // one crash proves nothing yet
  EXPECT_FALSE(inc.suspended);
  EXPECT_TRUE(rec.suspended.empty());
  EXPECT_EQ(inc.pid, 4242);
  EXPECT_NE(inc.summary.find("SIGSEGV"), std::string::npos);
}

TEST_F(correlator_test, second_crash_after_the_same_probe_suspends_it_once) {
  start_process();
  ingestion_crash();
  recover();
  ingestion_crash();

  ASSERT_EQ(rec.opened.size(), 2U);
  ASSERT_EQ(rec.suspended.size(), 1U);
  EXPECT_EQ(rec.suspended[0].probe, "ingest_event");
  EXPECT_EQ(rec.suspended[0].target, "mesher");
  EXPECT_NE(rec.suspended[0].reason.find(rec.opened[1].id), std::string::npos);
  ASSERT_TRUE(rec.opened[1].suspected_probe.has_value());
  EXPECT_EQ(*rec.opened[1].suspected_probe, "ingest_event");
  EXPECT_TRUE(rec.opened[1].suspended);
  EXPECT_TRUE(c->suspended("mesher", "ingest_event"));

  // Idempotent: a third crash names the suspect again but does not suspend twice.
  recover();
  ingestion_crash();
  ASSERT_EQ(rec.opened.size(), 3U);
  EXPECT_EQ(rec.suspended.size(), 1U);
  EXPECT_EQ(rec.opened[2].suspected_probe.value_or(""), "ingest_event");
  EXPECT_FALSE(rec.opened[2].suspended);

  // After an operator resumes it, the next crash may suspend it again.
  c->resume("mesher", "ingest_event");
  EXPECT_FALSE(c->suspended("mesher", "ingest_event"));
  recover();
  ingestion_crash();
  EXPECT_EQ(rec.suspended.size(), 2U);
}

TEST_F(correlator_test, the_probe_closest_to_death_wins_over_a_frequent_one) {
  start_process();
  for (int i = 0; i < 2; ++i) {
    c->note_probe_started("fast_path", "mesher", "/__meshwatch", clock.steady);
    clock.advance(3s);
    ingestion_crash();
    recover();
  }
  ASSERT_EQ(rec.suspended.size(), 1U);
  EXPECT_EQ(rec.suspended[0].probe, "ingest_event");
}

TEST_F(correlator_test, probes_outside_the_attribution_window_are_not_suspected) {
  start_process();
  for (int i = 0; i < 2; ++i) {
    c->note_probe_started("slow_report", "mesher", "/api/v1/report", clock.steady);
    clock.advance(6s);  // past the 5 s attribution window, inside the 10 s look-back
    c->on_process_event(exited(clock, exit_status::killed_by(11)));
    recover();
  }
  ASSERT_EQ(rec.opened.size(), 2U);
  EXPECT_TRUE(rec.suspended.empty());
  EXPECT_FALSE(rec.opened[1].suspected_probe.has_value());
  ASSERT_TRUE(rec.opened[1].probe_before.has_value());
  EXPECT_EQ(rec.opened[1].probe_before->probe, "slow_report");
  EXPECT_TRUE(rec.opened[1].probes_started_before.empty());
}

TEST_F(correlator_test, crashes_an_hour_apart_do_not_add_up) {
  start_process();
  ingestion_crash();
  clock.advance(2h);
  c->tick();
  start_process();
  ingestion_crash();
  EXPECT_TRUE(rec.suspended.empty());
}

TEST_F(correlator_test, operator_stops_are_never_attributed) {
  start_process();
  for (int i = 0; i < 3; ++i) {
    c->note_probe_started("ingest_event", "mesher", "/api/v1/events", clock.steady);
    clock.advance(1s);
    c->on_process_event(exited(clock, exit_status::killed_by(15)));
    recover();
  }
  EXPECT_EQ(rec.opened.size(), 3U);
  EXPECT_TRUE(rec.suspended.empty());
}

TEST_F(correlator_test, panic_block_then_sigabrt_is_one_incident) {
  start_process();
  clock.advance(60s);
  const auto first = clock.steady;
  clock.advance(5ms);
  c->on_console_event(panic_block(clock, first, /*aborted=*/true, /*caught=*/false));
  clock.advance(20ms);
  c->on_process_event(exited(clock, exit_status::killed_by(6, true)));
  clock.advance(30s);
  c->tick();

  ASSERT_EQ(rec.opened.size(), 1U);
  ASSERT_EQ(rec.closed.size(), 1U);
  const auto& inc = rec.closed[0];
  EXPECT_EQ(inc.kind, incident_kind::crash);
  EXPECT_EQ(inc.exit->classification, exit_classification::panic_abort);
  ASSERT_EQ(inc.panics.size(), 1U);
  EXPECT_EQ(inc.panics[0].thread, "<unnamed>");
  EXPECT_EQ(inc.panics[0].location, "crates/mesh-rt/src/panic.rs:33:9");
  EXPECT_EQ(inc.panics[0].message, "Mesh panic at <unknown>:0: non-exhaustive match in switch");
  EXPECT_EQ(inc.panics[0].offset, -25ms);
  EXPECT_TRUE(inc.panics[0].aborted);
  EXPECT_NE(inc.summary.find("non-exhaustive match"), std::string::npos);
}

TEST_F(correlator_test, panic_block_reported_after_the_exit_still_joins_it) {
  start_process();
  clock.advance(60s);
  const auto first = clock.steady;
  clock.advance(20ms);
  c->on_process_event(exited(clock, exit_status::killed_by(6)));
  clock.advance(50ms);  // the block's quiet time ends after the pidfd fired
  c->on_console_event(panic_block(clock, first, true, false));
  clock.advance(30s);
  c->tick();

  ASSERT_EQ(rec.opened.size(), 1U);
  ASSERT_EQ(rec.closed.size(), 1U);
  ASSERT_EQ(rec.closed[0].panics.size(), 1U);
  EXPECT_EQ(rec.closed[0].panics[0].offset, -20ms);
}

TEST_F(correlator_test, a_panic_long_before_the_exit_is_not_its_cause) {
  start_process();
  const auto first = clock.steady;
  c->on_console_event(panic_block(clock, first, true, false));
  clock.advance(6s);  // past panic_window and panic_exit_grace
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  ASSERT_EQ(rec.opened.size(), 2U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::panic);
  EXPECT_EQ(rec.opened[1].kind, incident_kind::crash);
  EXPECT_TRUE(rec.opened[1].panics.empty());
}

TEST_F(correlator_test, caught_handler_panic_is_a_panic_incident_not_a_crash) {
  start_process();
  clock.advance(60s);
  c->note_probe_started("huge_content_length", "mesher", "/api/v1/events", clock.steady);
  clock.advance(10ms);
  c->on_console_event(
      panic_block(clock, clock.steady, /*aborted=*/false, /*caught=*/true, "capacity overflow"));

  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::panic);
  EXPECT_FALSE(inc.exit.has_value());
  ASSERT_EQ(inc.panics.size(), 1U);
  EXPECT_TRUE(inc.panics[0].caught);
  ASSERT_TRUE(inc.probe_before.has_value());
  EXPECT_EQ(inc.probe_before->probe, "huge_content_length");
  EXPECT_FALSE(inc.suspected_probe.has_value());

  // Open until the panic has been quiet for panic_quiet (a repeat would join it).
  clock.advance(options.panic_quiet - 1ms);
  c->tick();
  EXPECT_TRUE(rec.closed.empty());
  clock.advance(1ms);
  c->tick();
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "quiet_period_passed");
  EXPECT_EQ(c->open_count("mesher"), 0U);
}

TEST_F(correlator_test, lone_handler_panicked_line_is_a_panic_incident) {
  start_process();
  auto e = console(clock, console_event_kind::http_handler_panicked, console_severity::error,
                   "[mesh-rt] HTTP handler panicked: Any { .. }");
  e.detail = "Any { .. }";
  c->on_console_event(e);
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::panic);
  ASSERT_EQ(rec.opened[0].panics.size(), 1U);
  EXPECT_TRUE(rec.opened[0].panics[0].caught);
}

TEST_F(correlator_test, aborting_panic_without_an_exit_becomes_a_panic_incident_after_the_grace) {
  start_process();
  c->on_console_event(panic_block(clock, clock.steady, true, false));
  EXPECT_TRUE(rec.opened.empty());
  ASSERT_TRUE(c->next_deadline().has_value());
  EXPECT_EQ(*c->next_deadline(), clock.steady + options.panic_exit_grace);
  clock.advance(4999ms);
  c->tick();
  EXPECT_TRUE(rec.opened.empty());
  clock.advance(1ms);
  c->tick();
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::panic);
  EXPECT_NE(rec.opened[0].summary.find("no exit seen"), std::string::npos);
}

TEST_F(correlator_test, exit_zero_after_the_db_failure_line_is_a_clean_exit) {
  start_process();
  c->note_probe_started("ingest_event", "mesher", "/api/v1/events", clock.steady);
  clock.advance(100ms);
  c->on_console_event(console(clock, console_event_kind::db_connect_failed, console_severity::error,
                              "[Mesher] Failed to connect to PostgreSQL"));
  clock.advance(5ms);
  c->on_process_event(exited(clock, exit_status::exited_with(0)));
  recover();
  c->note_probe_started("ingest_event", "mesher", "/api/v1/events", clock.steady);
  clock.advance(100ms);
  c->on_process_event(exited(clock, exit_status::exited_with(0)));

  ASSERT_EQ(rec.opened.size(), 2U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::clean_exit);
  EXPECT_EQ(inc.exit->classification, exit_classification::db_at_start_failure);
  ASSERT_EQ(inc.console.size(), 1U);
  EXPECT_EQ(inc.console[0].kind, console_event_kind::db_connect_failed);
  EXPECT_EQ(inc.console[0].offset, -5ms);
  EXPECT_TRUE(rec.suspended.empty());  // a DB outage is not the probe's doing
  EXPECT_FALSE(rec.opened[1].suspected_probe.has_value());
}

TEST_F(correlator_test, failing_probes_inside_the_window_are_attached_and_outside_are_not) {
  start_process();
  const auto t0 = clock.steady;
  clock.advance(20s);
  const auto exit_at = t0 + 20s;
  c->on_probe_result(failed_probe(clock, "too_early", exit_at - 11s));
  c->on_probe_result(failed_probe(clock, "before", exit_at - 5s));
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  clock.advance(3s);
  c->on_probe_result(failed_probe(clock, "after", exit_at + 3s));
  clock.advance(5s);
  auto passed = failed_probe(clock, "passing", exit_at + 8s);
  passed.passed = true;
  c->on_probe_result(passed);
  clock.advance(4s);  // the window closed at +10 s
  c->on_probe_result(failed_probe(clock, "too_late", exit_at + 12s));

  ASSERT_EQ(rec.closed.size(), 1U);
  const auto& probes = rec.closed[0].failing_probes;
  ASSERT_EQ(probes.size(), 2U);
  EXPECT_EQ(probes[0].probe, "before");
  EXPECT_EQ(probes[0].offset, -5000ms);
  EXPECT_EQ(probes[0].route, "/api/v1/before");
  EXPECT_EQ(probes[0].reason, failure_reason::connect_refused);
  EXPECT_EQ(probes[1].probe, "after");
  EXPECT_EQ(probes[1].offset, 3000ms);
  // Failures while the process is down never count as an endpoint outage.
  EXPECT_EQ(rec.opened.size(), 1U);
}

TEST_F(correlator_test, incident_closes_when_the_window_after_passes) {
  start_process();
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  const auto deadline = clock.steady + options.window_after;
  EXPECT_EQ(c->next_deadline(), deadline);
  clock.advance(9999ms);
  c->tick();
  EXPECT_TRUE(rec.closed.empty());
  EXPECT_EQ(c->open_count("mesher"), 1U);
  clock.advance(1ms);
  c->tick();
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "window_passed");
  ASSERT_TRUE(rec.closed[0].closed_at.has_value());
  EXPECT_EQ(rec.closed[0].closed_at->mono - rec.closed[0].opened_at.mono, options.window_after);
  EXPECT_EQ(c->recent().size(), 1U);
  c->tick();
  EXPECT_EQ(rec.closed.size(), 1U);  // closed once
}

TEST_F(correlator_test, ready_again_closes_the_crash_early) {
  start_process();
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  clock.advance(2s);
  start_process();
  clock.advance(1s);
  c->on_process_event(process(clock, process_event_kind::ready));
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "ready");
}

TEST_F(correlator_test, crash_loop_is_an_incident_spanning_the_crashes) {
  start_process();
  auto loop = process(clock, process_event_kind::crash_loop_started);
  loop.restarts_total = 5;  // two of them after deploys: the watcher's detail counts only crashes
  loop.detail = "3 restarts after crashes within 300 s";
  c->on_process_event(loop);
  c->on_process_event(loop);  // repeated: still one
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::crash_loop);
  EXPECT_EQ(rec.opened[0].summary, "crash loop: 3 restarts after crashes within 300 s");
  for (int i = 0; i < 3; ++i) {
    clock.advance(2s);
    c->on_process_event(exited(clock, exit_status::killed_by(11)));
    clock.advance(1s);
    start_process();
  }
  clock.advance(60s);
  c->tick();
  EXPECT_EQ(c->open_count("mesher"), 1U);  // only the loop, the crashes closed
  c->on_process_event(process(clock, process_event_kind::crash_loop_ended));
  EXPECT_EQ(c->open_count("mesher"), 0U);
  ASSERT_EQ(rec.opened.size(), 4U);
  EXPECT_EQ(rec.closed.back().kind, incident_kind::crash_loop);
  EXPECT_EQ(rec.closed.back().close_reason, "crash_loop_ended");
}

TEST_F(correlator_test, readiness_timeout_of_a_live_process_is_not_ready) {
  start_process();
  c->on_console_event(
      console(clock, console_event_kind::http_start_failed, console_severity::error,
              "[mesh-rt] Failed to start HTTP server on 0.0.0.0:8080: Address already in use"));
  clock.advance(30s);  // longer than window_before: the cause is found from the process start
  auto e = process(clock, process_event_kind::not_ready);
  e.detail = "readiness timeout";
  c->on_process_event(e);
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::not_ready);
  EXPECT_EQ(rec.opened[0].detail, "readiness timeout");
  ASSERT_EQ(rec.opened[0].console.size(), 1U);
  EXPECT_EQ(rec.opened[0].console[0].kind, console_event_kind::http_start_failed);
  clock.advance(5s);
  c->on_process_event(process(clock, process_event_kind::ready));
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "ready");
}

TEST_F(correlator_test, not_ready_because_the_process_exited_adds_nothing) {
  start_process();
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  auto e = process(clock, process_event_kind::not_ready);
  e.detail = "process exited";
  c->on_process_event(e);
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::crash);
}

TEST_F(correlator_test, three_distinct_probes_failing_while_alive_is_an_endpoint_outage) {
  start_process();
  clock.advance(60s);
  c->on_probe_result(failed_probe(clock, "a", clock.steady, failure_reason::timeout));
  c->on_probe_result(failed_probe(clock, "a", clock.steady, failure_reason::timeout));  // same probe again
  clock.advance(2s);
  c->on_probe_result(failed_probe(clock, "b", clock.steady, failure_reason::timeout));
  EXPECT_TRUE(rec.opened.empty());
  const auto first = clock.steady - 2s;
  clock.advance(2s);
  c->on_probe_result(failed_probe(clock, "c", clock.steady, failure_reason::timeout));
  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::endpoint_outage);
  EXPECT_EQ(inc.opened_at.mono, first);
  EXPECT_EQ(inc.failing_probes.size(), 4U);

  // Further failures keep it open; quiet for window_after closes it.
  clock.advance(8s);
  c->on_probe_result(failed_probe(clock, "d", clock.steady, failure_reason::timeout));
  clock.advance(9s);
  c->tick();
  EXPECT_EQ(c->open_count("mesher"), 1U);
  clock.advance(1s);
  c->tick();
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].failing_probes.size(), 5U);
  EXPECT_EQ(rec.opened.size(), 1U);
}

TEST_F(correlator_test, failures_spread_beyond_the_outage_window_or_while_starting_are_not_an_outage) {
  start_process();
  c->on_probe_result(failed_probe(clock, "a", clock.steady));
  clock.advance(6s);
  c->on_probe_result(failed_probe(clock, "b", clock.steady));
  clock.advance(6s);
  c->on_probe_result(failed_probe(clock, "c", clock.steady));  // "a" is 12 s old
  auto starting = failed_probe(clock, "d", clock.steady);
  starting.starting = true;
  c->on_probe_result(starting);
  auto stalled = failed_probe(clock, "e", clock.steady);
  stalled.inconclusive = true;
  c->on_probe_result(stalled);
  EXPECT_TRUE(rec.opened.empty());
}

TEST_F(correlator_test, missing_heartbeat_opens_heartbeat_stale_until_it_returns) {
  start_process();
  clock.advance(5s);
  c->on_console_event(heartbeat_line(clock, heartbeat::load_monitor));
  clock.advance(45s);
  c->tick();
  EXPECT_TRUE(rec.opened.empty());  // 45 s is the alert threshold, not past it
  clock.advance(1s);
  c->tick();
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::heartbeat_stale);
  EXPECT_NE(rec.opened[0].detail.find("load_monitor"), std::string::npos);
  clock.advance(10s);
  c->tick();
  EXPECT_EQ(rec.opened.size(), 1U);
  c->on_console_event(heartbeat_line(clock, heartbeat::load_monitor));
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "heartbeat_resumed");
}

TEST_F(correlator_test, heartbeats_never_seen_are_not_stale) {
  start_process();  // e.g. no console configured for the target
  clock.advance(10min);
  c->tick();
  EXPECT_TRUE(rec.opened.empty());
}

TEST_F(correlator_test, incidents_of_different_targets_stay_apart) {
  c->on_process_event(process(clock, process_event_kind::started, "a"));
  c->on_process_event(process(clock, process_event_kind::started, "b"));
  c->note_probe_started("ingest_event", "b", "/api/v1/events", clock.steady);
  clock.advance(1s);
  c->on_process_event(exited(clock, exit_status::killed_by(11), "a"));
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].target, "a");
  EXPECT_FALSE(rec.opened[0].probe_before.has_value());
  EXPECT_EQ(c->open_count("b"), 0U);
}

TEST_F(correlator_test, ids_are_unique_and_increasing) {
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    start_process();
    c->on_process_event(exited(clock, exit_status::killed_by(11)));  // same instant every time
  }
  for (const auto& inc : rec.opened) {
    ids.insert(inc.id);
  }
  EXPECT_EQ(ids.size(), rec.opened.size());
  for (std::size_t i = 1; i < rec.opened.size(); ++i) {
    EXPECT_LT(rec.opened[i - 1].sequence, rec.opened[i].sequence);
    EXPECT_LT(rec.opened[i - 1].id, rec.opened[i].id);
  }
}

TEST_F(correlator_test, close_all_closes_everything_once) {
  start_process();
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  auto loop = process(clock, process_event_kind::crash_loop_started);
  c->on_process_event(loop);
  c->close_all("shutdown");
  ASSERT_EQ(rec.closed.size(), 2U);
  EXPECT_EQ(rec.closed[0].close_reason, "shutdown");
  EXPECT_FALSE(c->next_deadline().has_value());
}

TEST_F(correlator_test, a_callback_may_call_back_into_the_correlator) {
  std::size_t seen_open = 0;
  incident_callbacks cb;
  cb.on_opened = [&](const incident& i) { seen_open = c->open_count(i.target); };
  c = std::make_unique<incident_correlator>(options, clock.clocks(), cb);
  start_process();
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  EXPECT_EQ(seen_open, 1U);
}

// --- bounds

TEST_F(correlator_test, ten_thousand_probe_starts_stay_bounded) {
  start_process();
  for (int i = 0; i < 10'000; ++i) {
    c->note_probe_started("probe_" + std::to_string(i % 300), "mesher", "/r", clock.steady);
    clock.advance(1ms);
  }
  EXPECT_LE(c->memory().probe_starts, options.max_probe_starts);
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].probes_started_before.size(), incident_limits::max_probe_starts);
  EXPECT_EQ(rec.opened[0].probe_before->probe, "probe_" + std::to_string(9'999 % 300));
}

TEST_F(correlator_test, huge_panic_blocks_and_names_are_cut) {
  start_process();
  auto e = panic_block(clock, clock.steady, true, false, std::string(1'000'000, 'x'));
  e.panic->thread = std::string(100'000, 't');
  e.panic->lines.assign(5'000, std::string(10'000, 'l'));
  c->on_console_event(e);
  c->note_probe_started(std::string(100'000, 'p'), "mesher", std::string(100'000, 'r'), clock.steady);
  clock.advance(20ms);
  c->on_process_event(exited(clock, exit_status::killed_by(6)));
  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& p = rec.opened[0].panics.at(0);
  EXPECT_LE(p.message.size(), incident_limits::max_message_bytes);
  EXPECT_LE(p.thread.size(), incident_limits::max_name_bytes);
  EXPECT_EQ(p.lines.size(), incident_limits::max_panic_lines);
  EXPECT_EQ(p.lines_omitted, 5'000U - incident_limits::max_panic_lines);
  for (const auto& line : p.lines) {
    EXPECT_LE(line.size(), incident_limits::max_line_bytes);
  }
  EXPECT_LE(rec.opened[0].probe_before->probe.size(), incident_limits::max_name_bytes);
  EXPECT_LE(rec.opened[0].probe_before->route.size(), incident_limits::max_route_bytes);
  EXPECT_LE(rec.opened[0].summary.size(), 512U);
}

TEST_F(correlator_test, failing_probes_rings_and_lists_stay_bounded) {
  start_process();
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  for (int i = 0; i < 10'000; ++i) {
    c->on_probe_result(failed_probe(clock, "p" + std::to_string(i), clock.steady));
  }
  EXPECT_LE(c->memory().probe_failures, options.max_probe_failures);
  for (int i = 0; i < 1'000; ++i) {
    c->on_console_event(
        console(clock, console_event_kind::accept_error, console_severity::error, "[mesh-rt] accept error"));
    c->on_console_event(panic_block(clock, clock.steady, true, false));
  }
  EXPECT_LE(c->memory().console_lines, options.max_console_lines);
  EXPECT_LE(c->memory().panics, options.max_panics);
  clock.advance(10s);
  c->tick();
  ASSERT_FALSE(rec.closed.empty());
  EXPECT_EQ(rec.closed[0].failing_probes.size(), incident_limits::max_failing_probes);
  EXPECT_EQ(rec.closed[0].failing_probes_omitted, 10'000U - incident_limits::max_failing_probes);
  EXPECT_LE(rec.closed[0].panics.size(), incident_limits::max_panics);
}

TEST_F(correlator_test, open_and_recent_incidents_are_capped) {
  for (int i = 0; i < 200; ++i) {
    auto e = process(clock, process_event_kind::crash_loop_started, "t" + std::to_string(i));
    c->on_process_event(e);
  }
  EXPECT_EQ(c->memory().open, options.max_open);
  EXPECT_EQ(rec.closed.size(), 200U - options.max_open);
  EXPECT_EQ(rec.closed[0].close_reason, "evicted");
  EXPECT_EQ(c->recent().size(), options.max_recent);
  EXPECT_EQ(c->recent().back().target, "t" + std::to_string(200 - options.max_open - 1));
}

}  // namespace
}  // namespace meshwatch

// Console error lines attached to incidents: those before the trigger, those printed while the
// failing probes that opened it were waiting (an outage is anchored at the first failure's
// start), and those that come while it stays open — all bounded.
#include <gtest/gtest.h>

#include <memory>

#include "daemon/incidents/incident_correlator.hpp"
#include "tests/unit/incidents/incident_test_util.hpp"

namespace meshwatch {
namespace {

using namespace test;

class incident_console_lines : public ::testing::Test {
 protected:
  void SetUp() override {
    c = std::make_unique<incident_correlator>(options, clock.clocks(), rec.callbacks());
    c->on_process_event(process(clock, process_event_kind::started));
    clock.advance(60s);
  }

  void accept_error() {
    c->on_console_event(console(clock, console_event_kind::accept_error, console_severity::warning,
                                "[mesh-rt] accept error: Too many open files (os error 24)"));
  }

  fake_clock clock;
  recorder rec;
  incident_correlator_options options;
  std::unique_ptr<incident_correlator> c;
};

TEST_F(incident_console_lines, lines_printed_while_the_first_failures_waited_join_the_outage) {
  // F-34: three probes start, mesh-rt floods accept errors, the probes time out.
  const auto started = clock.steady;
  clock.advance(100ms);
  accept_error();
  clock.advance(300ms);
  for (const char* probe : {"a", "b", "c"}) {
    c->on_probe_result(failed_probe(clock, probe, started, failure_reason::timeout));
  }
  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::endpoint_outage);
  EXPECT_EQ(inc.opened_at.mono, started);
  ASSERT_EQ(inc.console.size(), 1U);
  EXPECT_EQ(inc.console[0].kind, console_event_kind::accept_error);
  EXPECT_EQ(inc.console[0].offset, 100ms);
}

TEST_F(incident_console_lines, error_lines_while_open_join_it_up_to_the_bound) {
  const auto started = clock.steady;
  clock.advance(400ms);
  for (const char* probe : {"a", "b", "c"}) {
    c->on_probe_result(failed_probe(clock, probe, started, failure_reason::timeout));
  }
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_TRUE(rec.opened[0].console.empty());
  for (int i = 0; i < 100; ++i) {
    clock.advance(10ms);
    accept_error();
  }
  // Info lines are not evidence.
  c->on_console_event(
      console(clock, console_event_kind::health_check, console_severity::info, "[Mesher] Health check: ok"));
  c->close_all("test");
  ASSERT_EQ(rec.closed.size(), 1U);
  const auto& lines = rec.closed[0].console;
  ASSERT_EQ(lines.size(), incident_limits::max_console_lines);
  EXPECT_EQ(lines[0].offset, 410ms);  // the first ones after it opened
  for (const auto& l : lines) {
    EXPECT_EQ(l.kind, console_event_kind::accept_error);
  }
}

TEST_F(incident_console_lines, lines_after_the_window_closed_do_not_join) {
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  clock.advance(options.window_after + 1s);
  accept_error();
  c->tick();
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_TRUE(rec.closed[0].console.empty());
}

}  // namespace
}  // namespace meshwatch

// FAILURES.md D1: a crash (or clean exit) carries the target's last console lines before the
// exit, every severity, bounded per target; lines read just after the exit still join it.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "daemon/incidents/incident_correlator.hpp"
#include "daemon/incidents/incident_evidence.hpp"
#include "tests/unit/incidents/incident_test_util.hpp"

namespace meshwatch {
namespace {

using namespace test;

console_line line_at(const fake_clock& c, const std::string& text,
                     console_stream stream = console_stream::out) {
  console_line l;
  l.text = text;
  l.stream = stream;
  l.received = {c.wall, c.steady};
  return l;
}

class incident_last_lines : public ::testing::Test {
 protected:
  void SetUp() override {
    c = std::make_unique<incident_correlator>(options, clock.clocks(), rec.callbacks());
    c->on_process_event(process(clock, process_event_kind::started));
    clock.advance(60s);
  }

  void print(const std::string& text, const std::string& target = "mesher",
             console_stream stream = console_stream::out) {
    c->on_console_line(target, line_at(clock, text, stream));
  }

  fake_clock clock;
  recorder rec;
  incident_correlator_options options;
  std::unique_ptr<incident_correlator> c;
};

TEST_F(incident_last_lines, a_crash_keeps_the_last_200_lines_of_every_severity) {
  for (int i = 0; i < 250; ++i) {
    clock.advance(10ms);
    print("[Mesher] Load monitor: " + std::to_string(i) + " events/5s");  // info lines count too
  }
  print("[mesh-rt] accept error: Too many open files (os error 24)", "mesher", console_stream::err);
  print("a line of another target", "other");
  clock.advance(5ms);
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  ASSERT_EQ(rec.opened.size(), 1U);
  const auto& inc = rec.opened[0];
  EXPECT_EQ(inc.kind, incident_kind::crash);
  ASSERT_EQ(inc.last_lines.size(), incident_limits::max_last_lines);
  EXPECT_EQ(inc.last_lines.front().line, "[Mesher] Load monitor: 51 events/5s");  // oldest kept
  EXPECT_EQ(inc.last_lines.front().offset, -(198 * 10ms + 5ms));                  // 199 lines to the last
  EXPECT_EQ(inc.last_lines.back().line, "[mesh-rt] accept error: Too many open files (os error 24)");
  EXPECT_EQ(inc.last_lines.back().stream, console_stream::err);
  EXPECT_EQ(inc.last_lines.back().offset, -5ms);
  EXPECT_EQ(c->memory().tail_lines, 1U);  // taken by the crash; only the other target's line is left
}

TEST_F(incident_last_lines, a_clean_exit_keeps_them_too_and_lines_are_bounded_in_bytes) {
  print(std::string(10'000, 'x'));
  c->on_process_event(exited(clock, exit_status::exited_with(0)));
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::clean_exit);
  ASSERT_EQ(rec.opened[0].last_lines.size(), 1U);
  EXPECT_LE(rec.opened[0].last_lines[0].line.size(), incident_limits::max_line_bytes);
}

TEST_F(incident_last_lines, lines_read_just_after_the_exit_join_it_later_ones_start_the_next_life) {
  print("before");
  c->on_process_event(exited(clock, exit_status::killed_by(6)));
  clock.advance(options.late_panic / 2);
  print("drained from the pipe after the reap");
  clock.advance(options.late_panic);
  print("the next process");
  c->close_all("test");
  ASSERT_EQ(rec.closed.size(), 1U);
  const auto& lines = rec.closed[0].last_lines;
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].line, "before");
  EXPECT_EQ(lines[1].line, "drained from the pipe after the reap");
  EXPECT_EQ(lines[1].offset, options.late_panic / 2);
  EXPECT_EQ(c->memory().tail_lines, 1U);
}

TEST_F(incident_last_lines, an_external_stop_drops_them_so_the_next_crash_shows_its_own) {
  print("printed by the stopped process");
  c->on_process_event(exited(clock, exit_status::killed_by(15)));
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::stopped);
  EXPECT_TRUE(rec.opened[0].last_lines.empty());
  c->on_process_event(process(clock, process_event_kind::started));
  clock.advance(30s);
  print("printed by the new process");
  c->on_process_event(exited(clock, exit_status::killed_by(11)));
  ASSERT_EQ(rec.opened.size(), 2U);
  ASSERT_EQ(rec.opened[1].last_lines.size(), 1U);
  EXPECT_EQ(rec.opened[1].last_lines[0].line, "printed by the new process");
}

TEST_F(incident_last_lines, other_incident_kinds_keep_only_the_explaining_error_lines) {
  const auto started = clock.steady;
  print("[Mesher] Health check: ok");
  c->on_console_event(console(clock, console_event_kind::accept_error, console_severity::warning,
                              "[mesh-rt] accept error: Too many open files (os error 24)"));
  clock.advance(300ms);
  for (const char* probe : {"a", "b", "c"}) {
    c->on_probe_result(failed_probe(clock, probe, started, failure_reason::timeout));
  }
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::endpoint_outage);
  EXPECT_TRUE(rec.opened[0].last_lines.empty());
  EXPECT_EQ(rec.opened[0].console.size(), 1U);
}

TEST(incident_evidence_tail, one_bounded_ring_per_target_taken_once) {
  incident_evidence ev({});
  const auto t0 = incident_evidence::time_point{} + 1000h;
  for (int i = 0; i < 500; ++i) {
    ev.add_tail("a", {{"a" + std::to_string(i), console_stream::merged, {}}, t0 + i * 1ms});
  }
  ev.add_tail("b", {{"b0", console_stream::merged, {}}, t0});
  EXPECT_EQ(ev.tail_lines(), incident_limits::max_last_lines + 1);
  auto a = ev.take_tail("a");
  ASSERT_EQ(a.size(), incident_limits::max_last_lines);
  EXPECT_EQ(a.front().line.line, "a300");
  EXPECT_EQ(a.back().line.line, "a499");
  EXPECT_TRUE(ev.take_tail("a").empty());
  EXPECT_TRUE(ev.take_tail("unknown").empty());
  EXPECT_EQ(ev.tail_lines(), 1U);
}

}  // namespace
}  // namespace meshwatch

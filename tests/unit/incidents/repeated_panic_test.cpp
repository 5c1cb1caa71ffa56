// A handler panic that keeps happening (a route that panics on every request, probed every
// 500 ms) is one ongoing problem: one open `panic` incident that counts the repeats, names the
// probes that triggered them, and closes once the panic has been quiet for panic_quiet.
// Different panics stay different incidents; what an incident keeps stays bounded.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <memory>
#include <optional>

#include "daemon/incidents/incident_correlator.hpp"
#include "daemon/incidents/incident_json.hpp"
#include "daemon/incidents/incident_metrics.hpp"
#include "tests/unit/incidents/incident_test_util.hpp"

namespace meshwatch {
namespace {

using namespace test;

const std::string dashboard_route = "/api/v1/projects/:id/dashboard/health";

class repeated_panic : public ::testing::Test {
 protected:
  void SetUp() override {
    // As in production: the fast path (GET of an unknown path, no Mesh code) is never a suspect.
    options.never_suspect = [](std::string_view probe, std::string_view) { return probe == "fast_path"; };
    c = std::make_unique<incident_correlator>(options, clock.clocks(), rec.callbacks());
    c->on_process_event(process(clock, process_event_kind::started));
    c->on_process_event(process(clock, process_event_kind::ready));
    clock.advance(60s);
  }

  /** One probe run that hits the panicking handler: the probe starts, 5 ms later the block. */
  void panic_hit(const std::string& probe = "dashboard_health", const std::string& route = dashboard_route,
                 const std::string& message = "capacity overflow") {
    c->note_probe_started(probe, "mesher", route, clock.steady);
    clock.advance(5ms);
    c->on_console_event(panic_block(clock, clock.steady, /*aborted=*/false, /*caught=*/true, message));
  }

  /** The twin's handler_panic fault under a 500 ms probe, with the fast path in between. */
  void sustained(int hits) {
    for (int i = 0; i < hits; ++i) {
      c->note_probe_started("fast_path", "mesher", "/__meshwatch", clock.steady);
      clock.advance(100ms);
      panic_hit();
      clock.advance(395ms);
    }
  }

  fake_clock clock;
  recorder rec;
  incident_correlator_options options;
  std::unique_ptr<incident_correlator> c;
};

TEST_F(repeated_panic, a_sustained_handler_panic_is_one_open_incident) {
  const auto first = clock.wall + 105ms;
  sustained(7);  // 7 panics within 3.5 s

  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(rec.opened[0].kind, incident_kind::panic);
  EXPECT_TRUE(rec.closed.empty());
  ASSERT_EQ(c->open_count("mesher"), 1U);
  const auto inc = c->open_incidents().front();
  EXPECT_EQ(inc.occurrences, 7U);
  EXPECT_EQ(inc.opened_at.wall, first);
  EXPECT_EQ(inc.last_occurrence.wall, first + 6 * 500ms);
  // The repeats are counted, not stored: the first block is the evidence.
  EXPECT_EQ(inc.panics.size(), 1U);
  ASSERT_EQ(inc.triggers.size(), 1U);
  EXPECT_EQ(inc.triggers[0].probe, "dashboard_health");
  EXPECT_EQ(inc.triggers[0].route, dashboard_route);
  EXPECT_EQ(inc.triggers[0].occurrences, 7U);
  EXPECT_NE(inc.summary.find("capacity overflow"), std::string::npos) << inc.summary;
  EXPECT_NE(inc.summary.find("7 times"), std::string::npos) << inc.summary;
}

TEST_F(repeated_panic, it_closes_after_the_quiet_period_following_the_last_repeat) {
  sustained(7);
  const auto last = clock.steady - 395ms;
  clock.advance(options.panic_quiet - 1s);  // well past the first panic's quiet period end
  c->tick();
  EXPECT_TRUE(rec.closed.empty());
  ASSERT_TRUE(c->next_deadline().has_value());
  EXPECT_EQ(*c->next_deadline(), last + options.panic_quiet);
  clock.advance(1s);
  c->tick();
  ASSERT_EQ(rec.closed.size(), 1U);
  EXPECT_EQ(rec.closed[0].close_reason, "quiet_period_passed");
  EXPECT_EQ(rec.closed[0].occurrences, 7U);
  EXPECT_EQ(c->open_count("mesher"), 0U);

  // The same panic after the quiet period is a new incident.
  panic_hit();
  ASSERT_EQ(rec.opened.size(), 2U);
  EXPECT_EQ(c->open_incidents().front().occurrences, 1U);
}

TEST_F(repeated_panic, a_panic_hit_by_a_one_minute_probe_stays_one_incident) {
  for (int i = 0; i < 20; ++i) {  // 20 minutes of a persistent fault
    panic_hit();
    clock.advance(1min);
    c->tick();
  }
  EXPECT_EQ(rec.opened.size(), 1U);
  EXPECT_TRUE(rec.closed.empty());
  EXPECT_EQ(c->open_incidents().front().occurrences, 20U);
}

TEST_F(repeated_panic, different_panics_are_different_incidents) {
  panic_hit("dashboard_health", dashboard_route, "capacity overflow");
  clock.advance(500ms);
  panic_hit("issue_list", "/api/v1/projects/:id/issues", "index out of bounds: the len is 0");
  clock.advance(500ms);
  panic_hit("dashboard_health", dashboard_route, "capacity overflow");
  clock.advance(500ms);
  panic_hit("issue_list", "/api/v1/projects/:id/issues", "index out of bounds: the len is 0");

  ASSERT_EQ(rec.opened.size(), 2U);
  const auto open = c->open_incidents();
  ASSERT_EQ(open.size(), 2U);
  EXPECT_EQ(open[0].occurrences, 2U);
  EXPECT_EQ(open[1].occurrences, 2U);
  ASSERT_EQ(open[1].triggers.size(), 1U);
  EXPECT_EQ(open[1].triggers[0].probe, "issue_list");
}

TEST_F(repeated_panic, lone_handler_panicked_lines_join_too) {
  for (int i = 0; i < 5; ++i) {
    auto e = console(clock, console_event_kind::http_handler_panicked, console_severity::error,
                     "[mesh-rt] HTTP handler panicked: Any { .. }");
    e.detail = "Any { .. }";
    c->on_console_event(e);
    clock.advance(500ms);
  }
  ASSERT_EQ(rec.opened.size(), 1U);
  EXPECT_EQ(c->open_incidents().front().occurrences, 5U);
}

TEST_F(repeated_panic, the_incident_counter_counts_incidents_not_panics) {
  prometheus::Registry registry;
  incident_metrics metrics(registry, {"mesher"});
  rec = {};
  c = std::make_unique<incident_correlator>(
      options, clock.clocks(),
      incident_callbacks{[&](const incident& i) { metrics.opened(i); },
                         [&](const incident& i) { metrics.closed(i); }, nullptr});
  c->on_process_event(process(clock, process_event_kind::started));
  sustained(7);
  auto value = [&](const std::string& family, const std::map<std::string, std::string>& labels) {
    std::optional<double> v;
    for (const auto& f : registry.Collect()) {
      for (const auto& m : f.metric) {
        std::map<std::string, std::string> got;
        for (const auto& l : m.label) {
          got[l.name] = l.value;
        }
        if (f.name == family && got == labels) {
          v = f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
        }
      }
    }
    return v;
  };
  EXPECT_EQ(value("meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "panic"}}), 1.0);
  EXPECT_EQ(value("meshwatch_incident_open", {{"target", "mesher"}}), 1.0);
  clock.advance(options.panic_quiet);
  c->tick();
  EXPECT_EQ(value("meshwatch_incidents_total", {{"target", "mesher"}, {"kind", "panic"}}), 1.0);
  EXPECT_EQ(value("meshwatch_incident_open", {{"target", "mesher"}}), 0.0);
}

TEST_F(repeated_panic, what_a_flood_leaves_in_the_incident_is_bounded) {
  // 2000 panics, each triggered by one of 40 probes, each probe failing afterwards.
  for (int i = 0; i < 2000; ++i) {
    const std::string probe = "route_" + std::to_string(i % 40);
    panic_hit(probe, "/api/v1/" + probe);
    c->on_probe_result(failed_probe(clock, probe, clock.steady - 5ms, failure_reason::connection_closed));
    clock.advance(100ms);
  }
  ASSERT_EQ(rec.opened.size(), 1U);
  const auto inc = c->open_incidents().front();
  EXPECT_EQ(inc.occurrences, 2000U);
  EXPECT_EQ(inc.panics.size(), 1U);
  ASSERT_EQ(inc.triggers.size(), incident_limits::max_triggers);
  std::uint64_t counted = inc.triggers_omitted;
  for (const auto& t : inc.triggers) {
    counted += t.occurrences;
  }
  EXPECT_EQ(counted, 2000U);
  EXPECT_LE(inc.failing_probes.size(), incident_limits::max_failing_probes);
  EXPECT_LE(incident_to_json(inc, incident_json_detail::full).size(), 64U * 1024U);
  EXPECT_LE(c->memory().probe_starts, options.max_probe_starts);
  EXPECT_LE(c->memory().probe_failures, options.max_probe_failures);
}

TEST_F(repeated_panic, a_long_open_panic_does_not_swallow_a_later_outage) {
  panic_hit();
  clock.advance(30s);  // still open (quiet period), but past its collecting window
  for (const auto* probe : {"a", "b", "c"}) {
    c->on_probe_result(failed_probe(clock, probe, clock.steady));
    clock.advance(100ms);
  }
  ASSERT_EQ(rec.opened.size(), 2U);
  EXPECT_EQ(rec.opened[1].kind, incident_kind::endpoint_outage);
  // Failures long after the last repeat are not the panic's.
  const auto open = c->open_incidents();
  ASSERT_EQ(open[0].kind, incident_kind::panic);
  EXPECT_TRUE(open[0].failing_probes.empty());
}

TEST_F(repeated_panic, a_repeat_collects_the_failure_reported_before_its_block) {
  panic_hit();
  clock.advance(30s);
  // The probe sees its connection close before the panic block is parsed.
  c->note_probe_started("dashboard_health", "mesher", dashboard_route, clock.steady);
  const auto started = clock.steady;
  clock.advance(5ms);
  c->on_probe_result(failed_probe(clock, "dashboard_health", started, failure_reason::connection_closed));
  c->on_console_event(panic_block(clock, clock.steady, false, true, "capacity overflow"));
  const auto inc = c->open_incidents().front();
  EXPECT_EQ(inc.occurrences, 2U);
  ASSERT_EQ(inc.failing_probes.size(), 1U);
  EXPECT_EQ(inc.failing_probes[0].probe, "dashboard_health");
}

TEST_F(repeated_panic, the_json_line_carries_the_count_and_the_triggers) {
  sustained(3);
  const auto json = incident_to_json(c->open_incidents().front(), incident_json_detail::summary);
  EXPECT_NE(json.find("\"occurrences\":3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"triggers\":[{\"probe\":\"dashboard_health\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"last_occurrence_at\":"), std::string::npos) << json;
}

}  // namespace
}  // namespace meshwatch

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

config load_full() {
  const load_result r = load_config_file(test::fixtures_dir() + "/valid/full.yaml",
                                         test::options_with({{"MESHER_HOST", "10.0.0.7"}}));
  EXPECT_EQ(test::error_lines(r), std::vector<std::string>{});
  return r.value.value_or(config{});
}

TEST(valid_config, admin_and_defaults) {
  const config c = load_full();
  EXPECT_EQ(c.admin.listen.host, "::1");
  EXPECT_EQ(c.admin.listen.port, 0);
  ASSERT_TRUE(c.admin.bearer_token.has_value());
  EXPECT_EQ(c.admin.bearer_token->reveal(), "admin-token-value");  // CR LF trimmed
  EXPECT_EQ(c.admin.max_requests_per_second, 20);
  EXPECT_EQ(c.defaults.interval, 90s);
  EXPECT_EQ(c.defaults.timeout, 2500ms);
  EXPECT_EQ(c.defaults.healthy_threshold, 1);
  EXPECT_EQ(c.defaults.unhealthy_threshold, 5);
  EXPECT_EQ(c.defaults.jitter_percent, 0);
  EXPECT_EQ(c.defaults.regression.factor, 1.5);
  EXPECT_EQ(c.defaults.regression.min_increase, 50ms);
  EXPECT_EQ(c.defaults.regression.consecutive, regression_config{}.consecutive);  // built-in
}

TEST(valid_config, incidents_log_is_resolved_against_the_config_directory) {
  const config c = load_full();
  EXPECT_EQ(c.incidents.log, test::fixtures_dir() + "/valid/state/incidents.jsonl");
  EXPECT_EQ(c.incidents.max_file_bytes, 1048576u);
  EXPECT_EQ(c.incidents.rotated_files, 2);
  EXPECT_EQ(load_config_text("targets: [{ name: m, http: 'http://h:1' }]\n", "/etc/x.yaml").value->incidents,
            incidents_config{});  // unset: systemd's StateDirectory decides
}

TEST(valid_config, targets) {
  const config c = load_full();
  ASSERT_EQ(c.targets.size(), 2u);
  const target_config& a = c.targets[0];
  EXPECT_EQ(a.name, "primary");
  EXPECT_EQ(a.http.text(), "http://10.0.0.7:8080");
  EXPECT_EQ(a.ws->text(), "wss://10.0.0.7:443");
  EXPECT_EQ(a.database->dsn, "host=127.0.0.1 port=5432 dbname=mesher user=mesh");  // ${PGHOST:-…}
  EXPECT_EQ(a.database->password->reveal(), "pg-secret-value");
  const auto& exec = std::get<process_exec>(a.process->selector);
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"/usr/bin/mesher", "--flag", "cost: $5"}));
  EXPECT_EQ(a.process->start_grace, 45s);
  EXPECT_EQ(a.process->crash_loop_restarts, 4);
  EXPECT_EQ(a.process->crash_loop_window, 10min);
  EXPECT_TRUE(std::holds_alternative<console_child>(*a.console));
  // Regexes are taken as written: `$` and `{3,}` are regex syntax, not ${NAME} expansion.
  EXPECT_EQ(
      a.console_patterns,
      (std::vector<console_pattern>{
          {"payment_timeout", R"(payment gateway timed out after \d+ ms)", console_pattern_severity::error},
          {"cache_miss_storm", R"(^cache: (\d{3,}) misses in \d+s$)", console_pattern_severity::warning}}));
  EXPECT_TRUE(a.stream.enabled);
  EXPECT_EQ(a.stream.ping_interval, 30s);
  EXPECT_EQ(a.stream.pong_timeout, 2500ms);
  EXPECT_EQ(a.fixtures.project_id, "5e000000-0000-4000-8000-0000000000aa");
  EXPECT_EQ(a.fixtures.project_slug, "other-probe");
  EXPECT_EQ(a.fixtures.api_key, "mshr_other_key");
  EXPECT_EQ(a.fixtures.org_id, fixtures_config{}.org_id);  // untouched fields keep the built-in ids

  const target_config& b = c.targets[1];
  EXPECT_EQ(b.http.text(), "https://mesher.example.org:443");
  EXPECT_FALSE(b.ws.has_value());
  EXPECT_EQ(b.stream, stream_config{});  // the defaults: enabled, 15 s pings, 5 s for the pong
  EXPECT_EQ(b.stream.ping_interval, 15s);
  EXPECT_EQ(b.stream.pong_timeout, 5s);
  EXPECT_FALSE(b.database.has_value());
  EXPECT_EQ(std::get<process_systemd_unit>(b.process->selector).unit, "mesher.service");
  EXPECT_EQ(std::get<console_journald>(*b.console).unit, "mesher.service");
  EXPECT_TRUE(b.console_patterns.empty());
}

TEST(valid_config, http_probes_and_json_matchers) {
  const config c = load_full();
  ASSERT_EQ(c.probes.size(), 7u);
  const probe_config& fast = c.probes[0];
  EXPECT_EQ(fast.name, "fast_path");
  EXPECT_FALSE(fast.target.has_value());
  EXPECT_TRUE(fast.enabled);
  EXPECT_EQ(fast.interval, 5s);
  EXPECT_EQ(fast.timeout, 1s);
  EXPECT_EQ(fast.tags, (std::vector<std::string>{"liveness", "cheap"}));
  EXPECT_EQ(fast.expect.degraded_after, 200ms);
  EXPECT_EQ(fast.parallel, 4);
  // The probe's regression keys override the defaults one by one; the rest is inherited.
  EXPECT_EQ(fast.regression.factor, 3.0);
  EXPECT_EQ(fast.regression.consecutive, 5);
  EXPECT_EQ(fast.regression.min_increase, 50ms);

  const probe_config& detail = c.probes[1];
  EXPECT_EQ(detail.target, "primary");
  EXPECT_FALSE(detail.enabled);
  EXPECT_EQ(detail.interval, 90s);  // inherited
  EXPECT_EQ(detail.timeout, 2500ms);
  EXPECT_EQ(detail.parallel, 1);
  EXPECT_EQ(detail.regression, c.defaults.regression);
  const auto& req = std::get<http_request>(detail.kind);
  ASSERT_EQ(req.headers.size(), 2u);
  EXPECT_EQ(req.headers[0].first, "x-sentry-auth");
  EXPECT_EQ(req.headers[0].second.variables(), std::vector<std::string>{"api_key"});
  EXPECT_EQ(req.headers[1].second.render({}), "Bearer 10.0.0.7");  // ${env:…} expanded at load
  EXPECT_EQ(detail.expect.status, (std::vector<int>{200, 404}));

  const std::vector<json_expectation> expected{
      {"", json_type::object},
      {"/event/id", json_equals{text_template::parse("${event_1_id}", test::fake_env()).value.value()}},
      {"/navigation/prev_id", json_type::null},
      {"/navigation/next_id", json_type::string},
      {"/event/tags", json_non_empty{}},
      {"/event/count", json_equals{3.0}},
      {"/event/ratio", json_equals{0.5}},
      {"/event/flag", json_equals{true}},
      {"/event/literal_word", json_equals{text_template::literal("number")}},  // quoted: text, not a type
      {"/list", json_array_of{json_type::object}},
      {"/a~1b", json_type::boolean},
  };
  EXPECT_EQ(detail.expect.json, expected);
}

TEST(valid_config, ws_and_pg_probes) {
  const config c = load_full();
  const auto& stream = std::get<ws_probe>(c.probes[2].kind);
  EXPECT_EQ(stream.path.source(), "/stream/projects/${project_id}");
  EXPECT_EQ(stream.send->render({}), "{\"filters\":{}}");
  ASSERT_EQ(stream.expect_reply.size(), 1u);
  EXPECT_EQ(stream.expect_reply[0].matcher,
            json_matcher{json_equals{text_template::literal("filters_updated")}});
  EXPECT_FALSE(stream.expect_close.has_value());
  EXPECT_TRUE(stream.expect_pong);

  const auto& rejected = std::get<ws_probe>(c.probes[3].kind);
  EXPECT_EQ(rejected.expect_close, 1008);
  EXPECT_FALSE(rejected.expect_pong);
  EXPECT_EQ(c.probes[3].expect.degraded_after, 1s);

  const auto& horizon = std::get<pg_probe>(c.probes[4].kind);
  EXPECT_EQ(horizon.check, pg_check::partition_horizon);
  EXPECT_EQ(horizon.min_days, 2);
  EXPECT_EQ(c.probes[4].interval, 5min);
  const auto& statements = std::get<pg_probe>(c.probes[5].kind);
  EXPECT_EQ(statements.check, pg_check::long_statements);
  EXPECT_EQ(statements.longer_than, 25s);
}

TEST(valid_config, pipeline_with_captures) {
  const config c = load_full();
  const probe_config& p = c.probes[6];
  EXPECT_EQ(p.timeout, 2s);
  const auto& steps = std::get<pipeline_probe>(p.kind).steps;
  ASSERT_EQ(steps.size(), 4u);

  EXPECT_EQ(steps[0].name, "add");
  EXPECT_EQ(std::get<http_request>(steps[0].action).body->variables(), std::vector<std::string>{"user_b_id"});
  EXPECT_EQ(steps[0].expect.status, std::vector<int>{201});
  EXPECT_EQ(steps[0].capture, (std::vector<std::pair<std::string, std::string>>{{"member_id", "/id"}}));

  const auto& pg = std::get<pg_query_step>(steps[1].action);
  EXPECT_EQ(pg.sql, "SELECT id FROM org_memberships WHERE id = $1::uuid");
  ASSERT_EQ(pg.params.size(), 1u);
  EXPECT_EQ(pg.params[0].render({{"member_id", "M"}}), "M");
  EXPECT_EQ(steps[1].within, 1500ms);
  EXPECT_EQ(steps[1].capture, (std::vector<std::pair<std::string, std::string>>{{"row_id", "id"}}));

  EXPECT_EQ(std::get<ws_wait_step>(steps[2].action).match.size(), 1u);
  EXPECT_EQ(steps[2].within, 1s);

  EXPECT_EQ(std::get<http_request>(steps[3].action).path.variables(),
            (std::vector<std::string>{"org_id", "row_id"}));
}

}  // namespace
}  // namespace meshwatch

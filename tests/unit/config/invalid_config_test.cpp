#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "config/fixtures.hpp"
#include "test_support.hpp"

// One fixture per validation rule in tests/fixtures/config/invalid/: each must produce exactly
// the one error listed here, at exactly this line and column.

namespace meshwatch {
namespace {

struct invalid_case {
  const char* fixture;  // file name without .yaml
  int line;
  int column;
  const char* message;  // @DIR@ = the fixture's directory, @FIXTURES@ = the fixture variable names
};

const invalid_case cases[] = {
    {"yaml_syntax_error", 5, 1, "YAML syntax error: end of sequence flow not found"},
    {"empty_config", 1, 1, "the config is empty (it needs at least 'targets')"},
    {"two_documents", 6, 1, "a config holds one YAML document; remove the second one ('---')"},
    {"top_level_not_mapping", 2, 1, "the config must be a mapping, not a list"},
    {"unknown_key", 3, 3,
     "unknown key 'intervall' in defaults (allowed: interval, timeout, healthy_threshold, "
     "unhealthy_threshold, jitter, regression)"},
    {"duplicate_key", 4, 3, "duplicate key 'interval' in defaults (first at 3:3)"},
    {"wrong_type", 3, 3, "targets must be a list, not a mapping"},
    {"missing_required_key", 3, 5, "missing required key 'http' in targets[0]"},
    {"missing_targets", 2, 10, "targets must list at least one target"},
    {"duration_without_unit", 3, 13,
     "defaults.interval: invalid duration '15': missing unit after 15 (use ms, s, m or h)"},
    {"duration_negative", 3, 12,
     "defaults.timeout: invalid duration '-1s': negative durations are not allowed"},
    {"duration_fraction", 3, 12,
     "defaults.timeout: invalid duration '1.5s': fractions are not allowed; use a smaller unit, e.g. 1500ms"},
    {"duration_overflow", 3, 13,
     "defaults.interval: invalid duration '99999999999999999999h': too large (the maximum is 8760h)"},
    {"duration_unknown_unit", 3, 13,
     "defaults.interval: invalid duration '1d': unknown unit 'd' (use ms, s, m or h)"},
    {"duration_empty", 3, 13,
     "defaults.interval: invalid duration '': empty duration (use e.g. 250ms, 15s, 5m, 1h or 1m30s)"},
    {"interval_too_short", 3, 13, "defaults.interval must be at least 100ms, got 50ms"},
    {"http_url_bad_scheme", 4, 11,
     "targets[0].http: invalid URL 'ws://127.0.0.1:8080': must start with http:// or https://"},
    {"ws_url_bad_scheme", 5, 9,
     "targets[0].ws: invalid URL 'http://127.0.0.1:8081': must start with ws:// or wss://"},
    {"url_missing_host", 4, 11, "targets[0].http: invalid URL 'http://:8080': missing host"},
    {"url_bad_port", 4, 11,
     "targets[0].http: invalid URL 'http://127.0.0.1:70000': port 70000 is out of range (1-65535)"},
    {"url_with_path", 4, 11,
     "targets[0].http: invalid URL 'http://127.0.0.1:8080/api': must not have a path, query or fragment "
     "('/api'); probe paths are relative to it"},
    {"listen_without_port", 3, 11,
     "admin.listen: invalid address '127.0.0.1': missing port (write host:port, e.g. 127.0.0.1:9847)"},
    {"listen_bad_host", 3, 11,
     "admin.listen: invalid address 'local host:9847': invalid character ' ' in host 'local host'"},
    {"duplicate_target_name", 5, 11, "duplicate target name 'mesher' (first defined at 3:11)"},
    {"duplicate_probe_name", 8, 11, "duplicate probe name 'fast_path' (first defined at 6:11)"},
    {"probe_without_kind", 6, 5, "probes[0] needs exactly one of http, ws, pg, pipeline"},
    {"probe_with_two_kinds", 10, 5,
     "probes[0] sets both 'http' and 'pg'; exactly one of http, ws, pg, pipeline is allowed"},
    {"probe_unknown_target", 7, 13, "probes[0].target: unknown target 'meshr' (targets: mesher)"},
    {"threshold_below_one", 3, 24, "defaults.unhealthy_threshold must be between 1 and 100, got 0"},
    {"jitter_out_of_range", 3, 11, "defaults.jitter must be a percentage from 0% to 100%, got '150%'"},
    {"jitter_without_percent", 3, 11, "defaults.jitter must be a percentage from 0% to 100%, got '0.1'"},
    {"timeout_exceeds_interval", 8, 14, "probes[0].timeout (20s) must not exceed the interval (10s)"},
    {"defaults_timeout_exceeds_interval", 4, 12,
     "defaults.timeout (10s) must not exceed defaults.interval (5s)"},
    {"env_unset", 4, 11,
     "targets[0].http: environment variable 'MESHER_HOST' is not set (write ${MESHER_HOST:-fallback} to give "
     "a fallback)"},
    {"env_unterminated", 4, 11, "targets[0].http: unterminated '${' (write $$ for a literal $)"},
    {"password_file_missing", 7, 22,
     "targets[0].database.password_file: cannot read '@DIR@/no-such-password-file': No such file or "
     "directory"},
    {"bad_dsn", 5, 22,
     "targets[0].database.dsn must be a postgres:// or postgresql:// URI or libpq 'key=value' pairs"},
    {"process_two_selectors", 7, 7,
     "targets[0].process sets both 'pidfile' and 'systemd_unit'; exactly one of pidfile, systemd_unit, "
     "match, exec is allowed"},
    {"process_exec_empty", 5, 22,
     "targets[0].process.exec must name the program to run, e.g. [/usr/bin/mesher]"},
    {"console_two_sources", 5, 43,
     "targets[0].console sets both 'file' and 'journald'; exactly one of file, journald, child is allowed"},
    {"console_child_without_exec", 6, 5,
     "targets[0].console: 'child' needs process 'exec' (only a child's output can be piped)"},
    {"console_pattern_bad_regex", 8, 43,
     "targets[0].console.patterns[0].regex: invalid RE2 regex: missing ): payment (gateway"},
    {"console_pattern_builtin_name", 8, 19,
     "targets[0].console.patterns[0].name 'accept_error' is a built-in console event kind; choose another "
     "name"},
    {"console_pattern_bad_name", 8, 19,
     "targets[0].console.patterns[0].name 'Payment-Timeout' must be lowercase letters, digits and '_', "
     "starting with a letter (at most 48)"},
    {"console_pattern_duplicate_name", 9, 19,
     "duplicate console pattern name 'payment_timeout' (first defined at 8:19)"},
    {"console_pattern_bad_severity", 8, 82,
     "targets[0].console.patterns[0].severity must be one of info, warning, error, fatal, not 'critical'"},
    {"console_pattern_too_many", 8, 9, "targets[0].console.patterns has 65 entries (at most 64)"},
    {"console_pattern_regex_too_long", 9, 18,
     "targets[0].console.patterns[0].regex is 1025 bytes; at most 1024 are allowed"},
    {"fixture_not_uuid", 6, 19,
     "targets[0].fixtures.project_id must be a lowercase UUID, got '5E000000-0000-4000-8000-000000000010'"},
    {"bad_name", 6, 11,
     "probes[0].name 'fast path' may only use letters, digits, '_', '-' and '.' (at most 64)"},
    {"unknown_template_variable", 7, 19,
     "probes[0].http.path: unknown variable '${projct_id}' (known: @FIXTURES@)"},
    {"bad_template_variable_name", 7, 19,
     "probes[0].http.path: invalid variable name '${Project-Id}' (lowercase letters, digits and _; "
     "${env:NAME} for the environment)"},
    {"bad_json_type", 9, 28,
     "probes[0].expect.json[\"/events_24h\"]: unknown JSON type 'nubmer' (use string, number, boolean, "
     "object, array, null, non_empty, true, false, a number, a quoted string, or {array_of: <type>})"},
    {"bad_json_pointer", 9, 15,
     "invalid JSON pointer 'events_24h' in probes[0].expect.json (write \"/field\" or \"/list/0/field\"; ~0 "
     "for ~ and ~1 for /)"},
    {"bad_status_code", 8, 29, "probes[0].expect.status[1] must be between 100 and 599, got 2000"},
    {"bad_http_method", 7, 21,
     "probes[0].http.method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, got 'get'"},
    {"bad_http_path", 7, 19,
     "probes[0].http.path must start with '/' and contain no spaces or '#', got 'api/v1/health'"},
    {"body_not_string", 10, 13,
     "probes[0].http.body must be a string (quote JSON bodies, e.g. body: '{\"a\": 1}'), not a mapping"},
    {"bad_header_name", 9, 18, "invalid header name 'x sentry auth' in probes[0].http.headers"},
    {"bad_bool", 7, 14, "probes[0].enabled must be true or false, got 'yes'"},
    {"pg_unknown_check", 9, 18,
     "probes[0].pg.check must be one of reachable, partition_horizon, connections, long_statements, got "
     "'vacuum'"},
    {"pg_parameter_for_other_check", 9, 29, "probes[0].pg.min_days applies only to check partition_horizon"},
    {"ws_probe_without_ws_url", 7, 5, "probes[0] ('stream') needs a ws URL, but target 'mesher' has none"},
    {"stream_without_ws", 5, 5, "targets[0].stream: needs the target's ws (the subscriber connects there)"},
    {"stream_pong_exceeds_ping", 6, 48, "targets[0].stream.pong_timeout must not exceed ping_interval"},
    {"stream_ping_too_frequent", 6, 30, "targets[0].stream.ping_interval must be at least 1s, got 500ms"},
    {"ws_wait_without_stream", 9, 5,
     "probes[0] ('flow') waits for pushes, but target 'mesher' has its stream subscriber disabled "
     "(stream.enabled)"},
    {"incidents_log_directory", 6, 8,
     "incidents.log must name a file, not a directory: '/var/lib/meshwatch/'"},
    {"incidents_file_too_small", 5, 52,
     "incidents.max_file_bytes must be between 65536 and 1073741824, got 1000"},
    {"pg_probe_without_database", 7, 5, "probes[0] ('db') needs a database, but target 'mesher' has none"},
    {"bad_expect_close", 9, 40, "probes[0].ws.expect_close must be between 1000 and 4999, got 101"},
    {"ws_expect_pong_with_close", 8, 46, "probes[0].ws.expect_pong cannot be combined with expect_close"},
    {"expect_status_on_ws_probe", 10, 15,
     "unknown key 'status' in probes[0].expect (allowed: degraded_after)"},
    {"degraded_after_not_below_timeout", 9, 31,
     "probes[0].expect.degraded_after (2s) must be shorter than the timeout (2s)"},
    {"bearer_token_and_file", 4, 3, "admin sets both 'bearer_token' and 'bearer_token_file'; use one"},
    {"pipeline_no_steps", 9, 24, "probes[0].pipeline.steps must list at least one step"},
    {"pipeline_write_query", 12, 24,
     "probes[0].pipeline.steps[0].pg.query must be a read-only query starting with SELECT or WITH"},
    {"pipeline_duplicate_step", 13, 17,
     "duplicate step name 'read' in probes[0].pipeline.steps (first defined at 11:17)"},
    {"pipeline_step_two_kinds", 13, 11,
     "probes[0].pipeline.steps[0] sets both 'http' and 'pg'; exactly one of http, pg, ws_wait is allowed"},
    {"pipeline_capture_shadows_fixture", 13, 22,
     "capture 'project_id' in probes[0].pipeline.steps[0].capture would hide the fixture of the same name"},
    {"pipeline_capture_bad_pointer", 13, 33,
     "probes[0].pipeline.steps[0].capture[\"member_id\"] must be a JSON pointer like /id, got 'id'"},
    {"pipeline_capture_used_before_set", 12, 39,
     "probes[0].pipeline.steps[0].http.path: unknown variable '${member_id}' (known: @FIXTURES@)"},
    {"pipeline_within_on_http_step", 13, 11,
     "probes[0].pipeline.steps[0].within applies only to pg and ws_wait steps"},
    {"pipeline_within_exceeds_timeout", 14, 19,
     "probes[0].pipeline.steps[0].within (10s) must not exceed the probe timeout (5s)"},
    {"parallel_out_of_range", 7, 15, "probes[0].parallel must be between 1 and 16, got 32"},
    {"parallel_on_ws_probe", 8, 5, "probes[0].parallel applies only to http probes"},
    {"regression_factor_not_above_one", 3, 25,
     "defaults.regression.factor must be a number above 1 and at most 100, got '1'"},
    {"regression_factor_not_a_number", 8, 15,
     "probes[0].regression.factor must be a number above 1 and at most 100, got '2x'"},
    {"regression_consecutive_below_one", 7, 32,
     "probes[0].regression.consecutive must be between 1 and 100, got 0"},
    {"pipeline_ws_wait_empty_match", 12, 29,
     "probes[0].pipeline.steps[0].ws_wait.match must list at least one expectation (any push would match)"},
};

std::string invalid_dir() { return test::fixtures_dir() + "/invalid"; }

std::string fixture_names() {
  std::string names;
  for (const fixture_field& f : fixture_fields()) {
    names += names.empty() ? "" : ", ";
    names += f.name;
  }
  return names;
}

std::string expand_placeholders(std::string message) {
  for (const auto& [placeholder, value] : {std::pair{std::string{"@DIR@"}, invalid_dir()},
                                           std::pair{std::string{"@FIXTURES@"}, fixture_names()}}) {
    if (const std::size_t at = message.find(placeholder); at != std::string::npos) {
      message.replace(at, placeholder.size(), value);
    }
  }
  return message;
}

class invalid_config : public ::testing::TestWithParam<invalid_case> {};

TEST_P(invalid_config, reports_exactly_one_error_at_its_position) {
  const invalid_case& c = GetParam();
  const std::string path = invalid_dir() + "/" + c.fixture + ".yaml";
  const load_result r = load_config_file(path, test::options_with());
  EXPECT_FALSE(r.ok());
  const config_error expected{path, c.line, c.column, expand_placeholders(c.message)};
  EXPECT_EQ(test::error_lines(r), std::vector<std::string>{expected.to_string()});
}

INSTANTIATE_TEST_SUITE_P(rules, invalid_config, ::testing::ValuesIn(cases),
                         [](const ::testing::TestParamInfo<invalid_case>& info) {
                           return info.param.fixture;
                         });

TEST(invalid_config_fixtures, every_fixture_has_an_expectation) {
  std::set<std::string> listed;
  for (const invalid_case& c : cases) {
    EXPECT_TRUE(listed.insert(c.fixture).second) << "listed twice: " << c.fixture;
  }
  listed.insert("several_errors");  // asserted by its own test below
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(invalid_dir())) {
    on_disk.insert(entry.path().stem().string());
  }
  EXPECT_EQ(on_disk, listed);
}

TEST(invalid_config_fixtures, several_errors_are_reported_in_one_pass_in_file_order) {
  const std::string path = invalid_dir() + "/several_errors.yaml";
  const load_result r = load_config_file(path, test::options_with());
  EXPECT_FALSE(r.ok());
  const std::vector<std::string> expected{
      path + ":2:18: admin.listen: invalid address '127.0.0.1:99999': port 99999 is out of range (0-65535)",
      path +
          ":4:3: unknown key 'intervall' in defaults (allowed: interval, timeout, healthy_threshold, "
          "unhealthy_threshold, jitter, regression)",
      path + ":5:22: defaults.healthy_threshold must be between 1 and 100, got 0",
      path +
          ":8:11: targets[0].http: invalid URL 'ftp://127.0.0.1:8080': must start with http:// or https://",
      path + ":9:11: duplicate target name 'mesher' (first defined at 7:11)",
      path + ":13:13: probes[0].target: unknown target 'meshr' (targets: mesher)",
      path + ":14:15: probes[0].interval: invalid duration '15': missing unit after 15 (use ms, s, m or h)",
      path + ":15:19: probes[0].http.path: unknown variable '${projct_id}' (known: " + fixture_names() + ")",
      path + ":16:5: probes[1] needs exactly one of http, ws, pg, pipeline",
      path + ":17:11: duplicate probe name 'health' (first defined at 12:11)",
      path + ":18:5: probes[2] ('health') needs a database, but target 'mesher' has none",
  };
  EXPECT_EQ(test::error_lines(r), expected);
}

}  // namespace
}  // namespace meshwatch

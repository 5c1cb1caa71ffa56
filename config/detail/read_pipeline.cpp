// `pipeline:` probes: steps run in order, variables captured by one step feed the later ones.

#include <algorithm>
#include <cctype>
#include <map>

#include "config/detail/probe_reading.hpp"
#include "config/duration.hpp"

namespace meshwatch::detail {
namespace {

bool is_column_name(std::string_view s) { return is_env_name(s) && s.size() <= 63; }

// The daemon also runs these in a read-only transaction; this check just fails early and clearly.
bool is_read_only_query(std::string_view sql) {
  const std::size_t start = sql.find_first_not_of(" \t\r\n(");
  if (start == std::string_view::npos) {
    return false;
  }
  std::string word;
  for (std::size_t i = start; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
  }
  return word == "SELECT" || word == "WITH";
}

pg_query_step read_pg_step(reader& r, const located& at, const probe_scope& scope) {
  pg_query_step step;
  const mapping m{r, at, {"query", "params", "min_rows"}};
  if (std::optional<located> query = m.require("query")) {
    if (std::optional<std::string> sql = read_string(r, *query)) {
      if (is_read_only_query(*sql)) {
        step.sql = std::move(*sql);
      } else {
        r.error(*query, query->path + " must be a read-only query starting with SELECT or WITH");
      }
    }
  }
  if (std::optional<located> params = m.find("params")) {
    for (const located& item : read_list(r, *params, max_params).value_or(std::vector<located>{})) {
      if (std::optional<text_template> t = read_template(r, item, scope)) {
        step.params.push_back(std::move(*t));
      }
    }
  }
  if (std::optional<located> min_rows = m.find("min_rows")) {
    step.min_rows = static_cast<int>(read_int(r, *min_rows, 0, 1000).value_or(step.min_rows));
  }
  return step;
}

ws_wait_step read_ws_wait(reader& r, const located& at, const probe_scope& scope) {
  ws_wait_step step;
  const mapping m{r, at, {"match"}};
  if (std::optional<located> match = m.require("match")) {
    step.match = read_json_map(r, *match, scope);
    if (match->node.IsMap() && match->node.size() == 0) {
      r.error(*match, match->path + " must list at least one expectation (any push would match)");
    }
  }
  return step;
}

// Reads `capture:` and adds the new variables to `scope` for the steps that follow.
std::vector<std::pair<std::string, std::string>> read_capture(reader& r, const located& at, bool from_sql,
                                                              const probe_scope& fixtures,
                                                              probe_scope& scope) {
  std::vector<std::pair<std::string, std::string>> captures;
  const mapping m{r, at, {}, max_captures};
  for (const mapping::entry& e : m.entries()) {
    if (!is_template_variable_name(e.key)) {
      r.error(e.key_mark,
              "invalid variable name '" + e.key + "' in " + at.path + " (lowercase letters, digits and _)");
      continue;
    }
    if (fixtures.knows(e.key)) {
      r.error(e.key_mark,
              "capture '" + e.key + "' in " + at.path + " would hide the fixture of the same name");
      continue;
    }
    if (scope.knows(e.key)) {
      r.error(e.key_mark, "capture '" + e.key + "' in " + at.path + " is already set by an earlier step");
      continue;
    }
    std::optional<std::string> source = read_string(r, e.value);
    if (!source) {
      continue;
    }
    if (from_sql ? !is_column_name(*source) : !is_json_pointer(*source)) {
      r.error(e.value, e.value.path +
                           (from_sql ? " must be a column name" : " must be a JSON pointer like /id") +
                           ", got '" + *source + "'");
      continue;
    }
    captures.emplace_back(e.key, std::move(*source));
  }
  for (const auto& [name, source] : captures) {
    scope.variables.push_back(name);
  }
  return captures;
}

}  // namespace

pipeline_probe read_pipeline(reader& r, const located& at, const probe_scope& fixtures,
                             std::chrono::milliseconds probe_timeout, pipeline_needs& needs) {
  pipeline_probe pipeline;
  const mapping m{r, at, {"steps"}};
  const std::optional<located> steps = m.require("steps");
  if (!steps) {
    return pipeline;
  }
  const std::optional<std::vector<located>> items = read_list(r, *steps, max_steps);
  if (!items) {
    return pipeline;
  }
  if (items->empty()) {
    r.error(*steps, steps->path + " must list at least one step");
  }
  probe_scope scope = fixtures;
  std::map<std::string, YAML::Mark, std::less<>> names;
  for (const located& item : *items) {
    const mapping s{r, item, {"name", "http", "pg", "ws_wait", "expect", "capture", "within"}};
    if (!s.valid()) {
      continue;
    }
    pipeline_step step;
    if (std::optional<located> name = s.require("name")) {
      if (std::optional<std::string> text = read_string(r, *name)) {
        if (!is_name(*text)) {
          r.error(*name, name->path + " '" + *text +
                             "' may only use letters, digits, '_', '-' and '.' (at most 64)");
        } else if (const auto [it, inserted] = names.emplace(*text, name->mark); !inserted) {
          r.error(*name, "duplicate step name '" + *text + "' in " + steps->path + " (first defined at " +
                             position(it->second) + ")");
        }
        step.name = std::move(*text);
      }
    }
    needs.ws = needs.ws || s.has("ws_wait");
    needs.stream = needs.stream || s.has("ws_wait");
    needs.database = needs.database || s.has("pg");
    const std::optional<std::string> kind = read_one_of(r, s, {"http", "pg", "ws_wait"});
    if (kind == "http") {
      step.action = read_http_request(r, *s.find("http"), scope);
    } else if (kind == "pg") {
      step.action = read_pg_step(r, *s.find("pg"), scope);
    } else if (kind == "ws_wait") {
      step.action = read_ws_wait(r, *s.find("ws_wait"), scope);
    }
    if (std::optional<located> expect = s.find("expect")) {
      step.expect = read_expect(r, *expect, kind == "http" || !kind, scope, probe_timeout);
    }
    if (std::optional<located> within = s.find("within")) {
      if (kind == "http") {
        r.error(s.key_mark("within"), within->path + " applies only to pg and ws_wait steps");
      } else if (std::optional<std::chrono::milliseconds> d =
                     read_duration(r, *within, std::chrono::milliseconds{1})) {
        if (*d > probe_timeout) {
          r.error(*within, within->path + " (" + format_duration(*d) +
                               ") must not exceed the probe timeout (" + format_duration(probe_timeout) +
                               ")");
        }
        step.within = d;
      }
    }
    if (std::optional<located> capture = s.find("capture")) {
      step.capture = read_capture(r, *capture, kind == "pg", fixtures, scope);
    }
    pipeline.steps.push_back(std::move(step));
  }
  return pipeline;
}

}  // namespace meshwatch::detail

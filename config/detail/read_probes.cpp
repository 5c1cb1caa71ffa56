// The `probes:` section: scheduling, kind, expectations, and the probe's fit with its targets.

#include <algorithm>
#include <map>

#include "config/detail/probe_reading.hpp"
#include "config/duration.hpp"

namespace meshwatch::detail {
namespace {

// Inside probes:, `${...}` are template variables, not the environment (see text_template).
class env_expansion_off {
 public:
  explicit env_expansion_off(reader& r) : r_(r), saved_(r.expand_env) { r_.expand_env = false; }
  ~env_expansion_off() { r_.expand_env = saved_; }
  env_expansion_off(const env_expansion_off&) = delete;
  env_expansion_off& operator=(const env_expansion_off&) = delete;

 private:
  reader& r_;
  bool saved_;
};

ws_probe read_ws(reader& r, const located& at, const probe_scope& scope) {
  ws_probe ws;
  const mapping m{r, at, {"path", "headers", "send", "expect_reply", "expect_close", "expect_pong"}};
  if (std::optional<located> path = m.require("path")) {
    ws.path = read_path(r, *path, scope).value_or(text_template{});
  }
  if (std::optional<located> headers = m.find("headers")) {
    ws.headers = read_headers(r, *headers, scope);
  }
  if (std::optional<located> send = m.find("send")) {
    ws.send = read_template(r, *send, scope);
  }
  if (std::optional<located> reply = m.find("expect_reply")) {
    ws.expect_reply = read_json_map(r, *reply, scope);
  }
  if (std::optional<located> close = m.find("expect_close")) {
    // 1000-4999: the codes a peer may send (RFC 6455 §7.4).
    if (std::optional<std::int64_t> code = read_int(r, *close, 1000, 4999)) {
      ws.expect_close = static_cast<int>(*code);
    }
  }
  if (std::optional<located> pong = m.find("expect_pong")) {
    ws.expect_pong = read_bool(r, *pong).value_or(false);
    // A server that closes as expected can no longer answer a ping: the two cannot both hold.
    if (ws.expect_pong && m.has("expect_close")) {
      r.error(m.key_mark("expect_pong"), pong->path + " cannot be combined with expect_close");
    }
  }
  return ws;
}

pg_probe read_pg(reader& r, const located& at) {
  pg_probe pg;
  const mapping m{r, at, {"check", "min_days", "max", "longer_than"}};
  std::optional<pg_check> check;
  if (std::optional<located> name = m.require("check")) {
    if (std::optional<std::string> text = read_string(r, *name)) {
      for (pg_check c : {pg_check::reachable, pg_check::partition_horizon, pg_check::connections,
                         pg_check::long_statements}) {
        if (to_string(c) == *text) {
          check = c;
        }
      }
      if (!check) {
        r.error(*name,
                name->path +
                    " must be one of reachable, partition_horizon, connections, long_statements, got '" +
                    *text + "'");
      }
    }
  }
  pg.check = check.value_or(pg.check);
  // Each parameter belongs to one check; elsewhere it would be silently ignored.
  const auto parameter = [&](std::string_view key, pg_check owner) -> std::optional<located> {
    std::optional<located> v = m.find(key);
    if (v && check && *check != owner) {
      r.error(m.key_mark(key), v->path + " applies only to check " + std::string{to_string(owner)});
      return std::nullopt;
    }
    return v;
  };
  if (std::optional<located> v = parameter("min_days", pg_check::partition_horizon)) {
    pg.min_days = static_cast<int>(read_int(r, *v, 0, 365).value_or(pg.min_days));
  }
  if (std::optional<located> v = parameter("max", pg_check::connections)) {
    pg.max_connections = static_cast<int>(read_int(r, *v, 1, 10000).value_or(pg.max_connections));
  }
  if (std::optional<located> v = parameter("longer_than", pg_check::long_statements)) {
    pg.longer_than = read_duration(r, *v, std::chrono::milliseconds{1}).value_or(pg.longer_than);
  }
  return pg;
}

// interval and timeout: the probe's own or the defaults; timeout must fit in the interval.
void read_schedule(reader& r, const mapping& m, const probe_defaults& defaults, probe_config& p) {
  std::optional<std::chrono::milliseconds> interval;
  std::optional<std::chrono::milliseconds> timeout;
  if (std::optional<located> v = m.find("interval")) {
    interval = read_duration(r, *v, min_probe_interval);
  }
  if (std::optional<located> v = m.find("timeout")) {
    timeout = read_duration(r, *v, std::chrono::milliseconds{1});
  }
  p.interval = interval.value_or(defaults.interval);
  p.timeout = timeout.value_or(defaults.timeout);
  if (!interval && !timeout) {
    return;  // both inherited: checked once, at defaults
  }
  const bool both_valid = (interval || !m.has("interval")) && (timeout || !m.has("timeout"));
  if (!both_valid || p.timeout <= p.interval) {
    return;
  }
  if (timeout) {
    const located at = *m.find("timeout");
    r.error(at, at.path + " (" + format_duration(p.timeout) + ") must not exceed the interval (" +
                    format_duration(p.interval) + (interval ? ")" : ", from defaults)"));
  } else {
    const located at = *m.find("interval");
    r.error(at, at.path + " (" + format_duration(p.interval) + ") must not be shorter than the timeout (" +
                    format_duration(p.timeout) + ", from defaults)");
  }
}

// A probe that needs a ws URL or a database must only run against targets that have one.
void check_target_fit(reader& r, const mapping& m, const probe_config& p, std::string_view kind_key,
                      const pipeline_needs& needs, const std::vector<target_info>& targets) {
  std::vector<std::string_view> checked;  // a duplicate target name is reported elsewhere, once
  for (const target_info& t : targets) {
    if ((p.target && *p.target != t.name) ||
        std::find(checked.begin(), checked.end(), t.name) != checked.end()) {
      continue;
    }
    checked.push_back(t.name);
    if (needs.ws && !t.has_ws) {
      r.error(m.key_mark(kind_key),
              m.self().path + " ('" + p.name + "') needs a ws URL, but target '" + t.name + "' has none");
    }
    if (needs.stream && t.has_ws && !t.has_stream) {
      r.error(m.key_mark(kind_key), m.self().path + " ('" + p.name + "') waits for pushes, but target '" +
                                        t.name + "' has its stream subscriber disabled (stream.enabled)");
    }
    if (needs.database && !t.has_database) {
      r.error(m.key_mark(kind_key),
              m.self().path + " ('" + p.name + "') needs a database, but target '" + t.name + "' has none");
    }
  }
}

std::optional<probe_config> read_probe(reader& r, const located& at, const probe_defaults& defaults,
                                       const std::vector<target_info>& targets, const probe_scope& fixtures,
                                       std::map<std::string, YAML::Mark, std::less<>>& names) {
  const mapping m{r,
                  at,
                  {"name", "target", "enabled", "interval", "timeout", "tags", "parallel", "regression",
                   "http", "ws", "pg", "pipeline", "expect"}};
  if (!m.valid()) {
    return std::nullopt;
  }
  probe_config p;
  if (std::optional<located> name = m.require("name")) {
    if (std::optional<std::string> text = read_string(r, *name)) {
      if (!is_name(*text)) {
        r.error(*name,
                name->path + " '" + *text + "' may only use letters, digits, '_', '-' and '.' (at most 64)");
      } else if (const auto [it, inserted] = names.emplace(*text, name->mark); !inserted) {
        r.error(*name,
                "duplicate probe name '" + *text + "' (first defined at " + position(it->second) + ")");
      }
      p.name = std::move(*text);
    }
  }
  if (std::optional<located> target = m.find("target")) {
    if (std::optional<std::string> text = read_string(r, *target)) {
      std::vector<std::string> known;
      for (const target_info& t : targets) {
        if (std::find(known.begin(), known.end(), t.name) == known.end()) {
          known.push_back(t.name);
        }
      }
      if (std::find(known.begin(), known.end(), *text) == known.end()) {
        r.error(*target, target->path + ": unknown target '" + *text + "' (targets: " + join(known) + ")");
      }
      p.target = std::move(*text);
    }
  }
  if (std::optional<located> enabled = m.find("enabled")) {
    p.enabled = read_bool(r, *enabled).value_or(true);
  }
  read_schedule(r, m, defaults, p);
  if (std::optional<located> tags = m.find("tags")) {
    for (const located& item : read_list(r, *tags, max_tags).value_or(std::vector<located>{})) {
      std::optional<std::string> tag = read_string(r, item);
      if (tag && !is_name(*tag)) {
        r.error(item,
                item.path + " '" + *tag + "' may only use letters, digits, '_', '-' and '.' (at most 64)");
      } else if (tag) {
        p.tags.push_back(std::move(*tag));
      }
    }
  }
  const std::optional<std::string> kind = read_one_of(r, m, {"http", "ws", "pg", "pipeline"});
  pipeline_needs needs;
  if (kind == "http") {
    p.kind = read_http_request(r, *m.find("http"), fixtures);
  } else if (kind == "ws") {
    p.kind = read_ws(r, *m.find("ws"), fixtures);
    needs.ws = true;
  } else if (kind == "pg") {
    p.kind = read_pg(r, *m.find("pg"));
    needs.database = true;
  } else if (kind == "pipeline") {
    p.kind = read_pipeline(r, *m.find("pipeline"), fixtures, p.timeout, needs);
  }
  if (std::optional<located> expect = m.find("expect")) {
    p.expect = read_expect(r, *expect, kind == "http" || !kind, fixtures, p.timeout);
  }
  if (std::optional<located> parallel = m.find("parallel")) {
    // Only a single request can be repeated side by side; a pipeline's steps depend on each other.
    if (kind && *kind != "http") {
      r.error(m.key_mark("parallel"), parallel->path + " applies only to http probes");
    } else {
      p.parallel = static_cast<int>(read_int(r, *parallel, 1, max_parallel_requests).value_or(p.parallel));
    }
  }
  p.regression = defaults.regression;
  if (std::optional<located> regression = m.find("regression")) {
    p.regression = read_regression(r, *regression, defaults.regression);
  }
  if (kind) {
    check_target_fit(r, m, p, *kind, needs, targets);
  }
  return p;
}

}  // namespace

std::vector<probe_config> read_probes(reader& r, const located& at, const probe_defaults& defaults,
                                      const std::vector<target_info>& targets) {
  const env_expansion_off templates_instead{r};
  std::vector<probe_config> probes;
  const std::optional<std::vector<located>> items = read_list(r, at, max_probes);
  if (!items) {
    return probes;
  }
  probe_scope fixtures;
  for (const fixture_field& field : fixture_fields()) {
    fixtures.variables.emplace_back(field.name);
  }
  std::map<std::string, YAML::Mark, std::less<>> names;
  for (const located& item : *items) {
    if (std::optional<probe_config> p = read_probe(r, item, defaults, targets, fixtures, names)) {
      probes.push_back(std::move(*p));
    }
  }
  return probes;
}

}  // namespace meshwatch::detail

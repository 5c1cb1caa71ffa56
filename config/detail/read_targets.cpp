// The `targets:` section: one Mesher deployment each.

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "config/detail/sections.hpp"
// Header only (no link): the built-in kind names a user pattern's name must not reuse.
#include "daemon/console/console_event.hpp"

namespace meshwatch::detail {
namespace {

std::optional<base_url> read_url(reader& r, const located& at, parsed<base_url> (*parse)(std::string_view)) {
  std::optional<std::string> text = read_string(r, at);
  if (!text) {
    return std::nullopt;
  }
  parsed<base_url> url = parse(*text);
  if (!url) {
    r.error(at, at.path + ": invalid URL '" + *text + "': " + url.error);
    return std::nullopt;
  }
  return std::move(*url.value);
}

database_config read_database(reader& r, const located& at) {
  database_config db;
  const mapping m{r, at, {"dsn", "password_file"}};
  if (std::optional<located> dsn = m.require("dsn")) {
    if (std::optional<std::string> text = read_string(r, *dsn)) {
      // libpq accepts a URI or `key=value` pairs; anything else fails at connect time, hours later.
      const bool uri = text->starts_with("postgres://") || text->starts_with("postgresql://");
      if (uri || text->find('=') != std::string::npos) {
        db.dsn = std::move(*text);
      } else {
        r.error(*dsn, dsn->path + " must be a postgres:// or postgresql:// URI or libpq 'key=value' pairs");
      }
    }
  }
  if (std::optional<located> file = m.find("password_file")) {
    db.password = read_secret(r, *file, db.password_file);
  }
  return db;
}

process_config read_process(reader& r, const located& at) {
  process_config p;
  const mapping m{r, at, {"pidfile", "systemd_unit", "match", "exec", "start_grace", "crash_loop"}};
  const std::optional<std::string> kind = read_one_of(r, m, {"pidfile", "systemd_unit", "match", "exec"});
  if (kind == "pidfile") {
    p.selector = process_pidfile{read_string(r, *m.find(*kind)).value_or("")};
  } else if (kind == "systemd_unit") {
    p.selector = process_systemd_unit{read_string(r, *m.find(*kind)).value_or("")};
  } else if (kind == "match") {
    p.selector = process_match{read_string(r, *m.find(*kind)).value_or("")};
  } else if (kind == "exec") {
    const located argv = *m.find(*kind);
    std::vector<std::string> args =
        read_string_list(r, argv, max_exec_args).value_or(std::vector<std::string>{});
    if (argv.node.IsSequence() && argv.node.size() == 0) {
      r.error(argv, argv.path + " must name the program to run, e.g. [/usr/bin/mesher]");
    }
    p.selector = process_exec{std::move(args)};
  }
  if (std::optional<located> grace = m.find("start_grace")) {
    p.start_grace = read_duration(r, *grace, std::chrono::milliseconds{0}).value_or(p.start_grace);
  }
  if (std::optional<located> loop = m.find("crash_loop")) {
    const mapping cl{r, *loop, {"restarts", "within"}};
    if (std::optional<located> v = cl.find("restarts")) {
      p.crash_loop_restarts = static_cast<int>(read_int(r, *v, 1, 100).value_or(p.crash_loop_restarts));
    }
    if (std::optional<located> v = cl.find("within")) {
      p.crash_loop_window = read_duration(r, *v, std::chrono::seconds{1}).value_or(p.crash_loop_window);
    }
  }
  return p;
}

std::optional<console_config> read_console(reader& r, const mapping& m) {
  const std::optional<std::string> kind = read_one_of(r, m, {"file", "journald", "child"});
  if (kind == "file") {
    return console_file{read_string(r, *m.find(*kind)).value_or("")};
  }
  if (kind == "journald") {
    const mapping j{r, *m.find(*kind), {"unit"}};
    std::optional<located> unit = j.require("unit");
    return console_journald{unit ? read_string(r, *unit).value_or("") : ""};
  }
  if (kind == "child") {
    const located child = *m.find(*kind);
    if (std::optional<bool> on = read_bool(r, child); on && !*on) {
      r.error(child, child.path + " must be true (leave out console to watch no output)");
    }
    return console_child{};
  }
  return std::nullopt;
}

/** A user pattern's name becomes a `kind` label value: snake_case like the built-in kinds. */
bool is_pattern_name(std::string_view s) {
  if (s.empty() || s.size() > max_console_pattern_name || s.front() < 'a' || s.front() > 'z') {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::optional<console_pattern_severity> pattern_severity(std::string_view word) {
  // Indexed by the enum value, as the console classifier's levels are.
  constexpr std::array<std::string_view, 4> words{"info", "warning", "error", "fatal"};
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == word) {
      return static_cast<console_pattern_severity>(i);
    }
  }
  return std::nullopt;
}

void read_pattern_name(reader& r, const located& at, console_pattern& p,
                       std::map<std::string, YAML::Mark, std::less<>>& seen) {
  std::optional<std::string> name = read_string(r, at);
  if (!name) {
    return;
  }
  if (!is_pattern_name(*name)) {
    r.error(at, at.path + " '" + *name +
                    "' must be lowercase letters, digits and '_', starting with a letter (at most " +
                    std::to_string(max_console_pattern_name) + ")");
    return;
  }
  if (std::find(console_event_kind_names.begin(), console_event_kind_names.end(), *name) !=
      console_event_kind_names.end()) {
    r.error(at, at.path + " '" + *name + "' is a built-in console event kind; choose another name");
    return;
  }
  const auto [it, inserted] = seen.emplace(*name, at.mark);
  if (!inserted) {
    r.error(at,
            "duplicate console pattern name '" + *name + "' (first defined at " + position(it->second) + ")");
    return;
  }
  p.name = std::move(*name);
}

void read_pattern_regex(reader& r, const located& at, console_pattern& p) {
  // A regex is taken as written: `$` and `{}` are regex syntax here, not `${NAME}` expansion.
  const bool expand = r.expand_env;
  r.expand_env = false;
  std::optional<std::string> regex = read_string(r, at);
  r.expand_env = expand;
  if (!regex) {
    return;
  }
  if (regex->size() > max_console_pattern_regex) {
    r.error(at, at.path + " is " + std::to_string(regex->size()) + " bytes; at most " +
                    std::to_string(max_console_pattern_regex) + " are allowed");
    return;
  }
  // The same RE2 options the console classifier compiles with, so what loads here compiles there.
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(*regex, options);
  if (!re.ok()) {
    r.error(at, at.path + ": invalid RE2 regex: " + re.error());
    return;
  }
  p.regex = std::move(*regex);
}

std::vector<console_pattern> read_console_patterns(reader& r, const located& at) {
  std::vector<console_pattern> patterns;
  std::optional<std::vector<located>> items = read_list(r, at, max_console_patterns);
  if (!items) {
    return patterns;
  }
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (const located& item : *items) {
    const mapping m{r, item, {"name", "regex", "severity"}};
    if (!m.valid()) {
      continue;
    }
    console_pattern p;
    if (std::optional<located> name = m.require("name")) {
      read_pattern_name(r, *name, p, seen);
    }
    if (std::optional<located> regex = m.require("regex")) {
      read_pattern_regex(r, *regex, p);
    }
    if (std::optional<located> severity = m.find("severity")) {
      if (std::optional<std::string> word = read_string(r, *severity)) {
        if (std::optional<console_pattern_severity> level = pattern_severity(*word)) {
          p.severity = *level;
        } else {
          r.error(*severity,
                  severity->path + " must be one of info, warning, error, fatal, not '" + *word + "'");
        }
      }
    }
    patterns.push_back(std::move(p));
  }
  return patterns;
}

stream_config read_stream(reader& r, const located& at) {
  stream_config st;
  const mapping m{r, at, {"enabled", "ping_interval", "pong_timeout"}};
  if (std::optional<located> v = m.find("enabled")) {
    st.enabled = read_bool(r, *v).value_or(st.enabled);
  }
  // Bounded both ways: sub-second pings load Mesher for nothing, and a pong may not take longer
  // than the ping cycle it belongs to.
  if (std::optional<located> v = m.find("ping_interval")) {
    auto interval = read_duration(r, *v, std::chrono::seconds{1});
    if (interval && *interval > std::chrono::minutes{10}) {
      r.error(*v, v->path + " must be at most 10m");
    } else if (interval) {
      st.ping_interval = *interval;
    }
  }
  if (std::optional<located> v = m.find("pong_timeout")) {
    auto timeout = read_duration(r, *v, std::chrono::milliseconds{100});
    if (timeout && *timeout > st.ping_interval) {
      r.error(*v, v->path + " must not exceed ping_interval");
    } else if (timeout) {
      st.pong_timeout = *timeout;
    }
  }
  return st;
}

fixtures_config read_fixtures(reader& r, const located& at) {
  fixtures_config f;
  const mapping m{
      r,
      at,
      {"org_id", "user_a_id", "user_b_id", "project_id", "project_slug", "sampled_project_id", "issue_a_id",
       "issue_b_id", "event_1_id", "event_2_id", "event_3_id", "alert_rule_id", "alert_id", "membership_id",
       "api_key_id", "sampled_api_key_id", "api_key", "sampled_api_key"}};
  for (const fixture_field& field : fixture_fields()) {
    std::optional<located> v = m.find(field.name);
    if (!v) {
      continue;
    }
    std::optional<std::string> text = read_string(r, *v);
    if (!text) {
      continue;
    }
    if (!fixture_value_valid(field.format, *text)) {
      const char* shape = field.format == fixture_format::uuid   ? "a lowercase UUID"
                          : field.format == fixture_format::slug ? "a slug (a-z, 0-9, -)"
                                                                 : "letters, digits and -._~ only";
      r.error(*v, v->path + " must be " + shape + ", got '" + *text + "'");
      continue;
    }
    f.*field.member = std::move(*text);
  }
  return f;
}

target_config read_target(reader& r, const located& at, target_info& info) {
  target_config t;
  const mapping m{r, at, {"name", "http", "ws", "database", "process", "console", "stream", "fixtures"}};
  if (!m.valid()) {
    return t;
  }
  if (std::optional<located> name = m.require("name")) {
    if (std::optional<std::string> text = read_string(r, *name)) {
      if (is_name(*text)) {
        t.name = *text;
      } else {
        r.error(*name,
                name->path + " '" + *text + "' may only use letters, digits, '_', '-' and '.' (at most 64)");
      }
      info.name = std::move(*text);
    }
  }
  if (std::optional<located> http = m.require("http")) {
    t.http = read_url(r, *http, parse_http_url).value_or(base_url{});
  }
  info.has_ws = m.has("ws");
  if (std::optional<located> ws = m.find("ws")) {
    t.ws = read_url(r, *ws, parse_ws_url);
  }
  info.has_database = m.has("database");
  if (std::optional<located> db = m.find("database")) {
    t.database = read_database(r, *db);
  }
  if (std::optional<located> process = m.find("process")) {
    t.process = read_process(r, *process);
  }
  if (std::optional<located> console = m.find("console")) {
    const mapping cm{r, *console, {"file", "journald", "child", "patterns"}};
    t.console = read_console(r, cm);
    if (std::optional<located> patterns = cm.find("patterns")) {
      t.console_patterns = read_console_patterns(r, *patterns);
    }
    // Pipes exist only for a process meshwatch started itself. Judged by the keys written, so a
    // typo inside `process` is not reported twice.
    const std::optional<located> process = m.find("process");
    const bool exec_declared = process && process->node.IsMap() && std::as_const(process->node)["exec"];
    if (t.console && std::holds_alternative<console_child>(*t.console) && !exec_declared) {
      r.error(m.key_mark("console"),
              at.path + ".console: 'child' needs process 'exec' (only a child's output can be piped)");
    }
  }
  if (std::optional<located> stream = m.find("stream")) {
    t.stream = read_stream(r, *stream);
    if (!m.has("ws")) {
      r.error(m.key_mark("stream"),
              at.path + ".stream: needs the target's ws (the subscriber connects there)");
    }
  }
  info.has_stream = info.has_ws && t.stream.enabled;
  if (std::optional<located> fixtures = m.find("fixtures")) {
    t.fixtures = read_fixtures(r, *fixtures);
  }
  return t;
}

}  // namespace

std::vector<target_config> read_targets(reader& r, const located& at, std::vector<target_info>& infos) {
  std::vector<target_config> targets;
  std::optional<std::vector<located>> items = read_list(r, at, max_targets);
  if (!items) {
    return targets;
  }
  if (items->empty()) {
    r.error(at, "targets must list at least one target");
  }
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (const located& item : *items) {
    target_info info;
    targets.push_back(read_target(r, item, info));
    if (!info.name.empty()) {
      const YAML::Node name_node = item.node["name"];
      const YAML::Mark mark = name_node.Mark();
      const auto [it, inserted] = seen.emplace(info.name, mark);
      if (!inserted) {
        r.error(mark,
                "duplicate target name '" + info.name + "' (first defined at " + position(it->second) + ")");
      }
    }
    infos.push_back(std::move(info));
  }
  return targets;
}

}  // namespace meshwatch::detail

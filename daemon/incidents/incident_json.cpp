#include "daemon/incidents/incident_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <optional>
#include <string_view>

#include "daemon/incidents/bounded_text.hpp"

namespace meshwatch {

namespace {

// Bounds again at write time: an incident built elsewhere (or a future field) cannot break the line.
constexpr std::size_t max_any_string = 4096;

void text(incident_json_writer& w, std::string_view s, std::size_t max = max_any_string) {
  const auto clean = bounded_text(s, max);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void key(incident_json_writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void seconds(incident_json_writer& w, std::chrono::milliseconds d) {
  w.Double(static_cast<double>(d.count()) / 1000.0);
}

/** `name`: write(value) when there is one, else null. */
template <typename T, typename Write>
void nullable(incident_json_writer& w, std::string_view name, const std::optional<T>& value, Write write) {
  key(w, name);
  if (value) {
    write(*value);
  } else {
    w.Null();
  }
}

/** `name`: the first `max` items, each through write(); returns how many were written. */
template <typename Items, typename Write>
std::size_t bounded_array(incident_json_writer& w, std::string_view name, const Items& items, std::size_t max,
                          Write write) {
  key(w, name);
  w.StartArray();
  std::size_t written = 0;
  for (const auto& item : items) {
    if (written == max) {
      break;
    }
    write(item);
    ++written;
  }
  w.EndArray();
  return written;
}

void unix_seconds(incident_json_writer& w, std::chrono::system_clock::time_point t) {
  w.Double(static_cast<double>(
               std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
           1000.0);
}

void write_exit(incident_json_writer& w, const exit_report& e) {
  w.StartObject();
  key(w, "how");
  switch (e.status.how) {
    case exit_status::kind::exited: text(w, "exited"); break;
    case exit_status::kind::signaled: text(w, "signaled"); break;
    case exit_status::kind::unknown: text(w, "unknown"); break;
  }
  key(w, "code");
  if (e.status.how == exit_status::kind::exited) {
    w.Int(e.status.code);
  } else {
    w.Null();
  }
  key(w, "signal");
  if (e.status.how == exit_status::kind::signaled) {
    text(w, signal_name(e.status.signal));
  } else {
    w.Null();
  }
  key(w, "signal_number");
  if (e.status.how == exit_status::kind::signaled) {
    w.Int(e.status.signal);
  } else {
    w.Null();
  }
  key(w, "core_dumped");
  w.Bool(e.status.core_dumped);
  key(w, "classification");
  text(w, to_string(e.classification));
  key(w, "startup_regression");
  w.Bool(e.startup_regression);
  key(w, "uptime_seconds");
  seconds(w, e.uptime);
  w.EndObject();
}

void write_panic(incident_json_writer& w, const incident_panic& p, incident_json_detail detail) {
  w.StartObject();
  key(w, "kind");
  text(w, to_string(p.kind));
  key(w, "thread");
  text(w, p.thread, incident_limits::max_name_bytes);
  key(w, "location");
  text(w, p.location, incident_limits::max_route_bytes);
  key(w, "message");
  text(w, p.message, incident_limits::max_message_bytes);
  key(w, "aborted");
  w.Bool(p.aborted);
  key(w, "caught");
  w.Bool(p.caught);
  key(w, "offset_seconds");
  seconds(w, p.offset);
  if (detail == incident_json_detail::full) {
    const std::size_t written =
        bounded_array(w, "lines", p.lines, incident_limits::max_panic_lines,
                      [&](const auto& line) { text(w, line, incident_limits::max_line_bytes); });
    key(w, "lines_omitted");
    w.Uint64(p.lines_omitted + (p.lines.size() - written));
  }
  w.EndObject();
}

void write_probe_start(incident_json_writer& w, const incident_probe_start& p) {
  w.StartObject();
  key(w, "probe");
  text(w, p.probe, incident_limits::max_name_bytes);
  key(w, "route");
  text(w, p.route, incident_limits::max_route_bytes);
  key(w, "offset_seconds");
  seconds(w, p.offset);
  w.EndObject();
}

void write_failure(incident_json_writer& w, const incident_probe_failure& f) {
  w.StartObject();
  key(w, "probe");
  text(w, f.probe, incident_limits::max_name_bytes);
  key(w, "route");
  text(w, f.route, incident_limits::max_route_bytes);
  nullable(w, "reason", f.reason, [&](auto reason) { text(w, to_string(reason)); });
  key(w, "detail");
  text(w, f.detail, incident_limits::max_detail_bytes);
  key(w, "http_status");
  w.Int(f.http_status);
  key(w, "starting");
  w.Bool(f.starting);
  key(w, "offset_seconds");
  seconds(w, f.offset);
  w.EndObject();
}

/** `{"<what>": …, "line": …, "offset_seconds": …}`: a console line, tagged by its kind or stream. */
void write_console_line(incident_json_writer& w, std::string_view what, std::string_view value,
                        const std::string& line, incident_offset offset) {
  w.StartObject();
  key(w, what);
  text(w, value);
  key(w, "line");
  text(w, line, incident_limits::max_line_bytes);
  key(w, "offset_seconds");
  seconds(w, offset);
  w.EndObject();
}

}  // namespace

void write_incident(incident_json_writer& w, const incident& inc, incident_json_detail detail) {
  const bool full = detail == incident_json_detail::full;
  w.StartObject();
  key(w, "id");
  text(w, inc.id);
  key(w, "target");
  text(w, inc.target, incident_limits::max_name_bytes);
  key(w, "kind");
  text(w, to_string(inc.kind));
  key(w, "state");
  text(w, inc.open() ? "open" : "closed");
  key(w, "summary");
  text(w, inc.summary, 512);
  key(w, "detail");
  text(w, inc.detail, incident_limits::max_detail_bytes);
  key(w, "opened_at");
  text(w, format_utc(inc.opened_at.wall));
  key(w, "opened_at_unix");
  unix_seconds(w, inc.opened_at.wall);
  nullable(w, "closed_at", inc.closed_at, [&](const auto& at) { text(w, format_utc(at.wall)); });
  key(w, "close_reason");
  text(w, inc.close_reason, incident_limits::max_name_bytes);
  nullable(w, "duration_seconds", inc.closed_at, [&](const auto& at) {
    seconds(w, std::chrono::duration_cast<std::chrono::milliseconds>(at.mono - inc.opened_at.mono));
  });
  nullable(w, "pid", inc.pid, [&](auto pid) { w.Int64(pid); });
  nullable(w, "exit", inc.exit, [&](const auto& exit) { write_exit(w, exit); });
  bounded_array(w, "panics", inc.panics, incident_limits::max_panics,
                [&](const auto& p) { write_panic(w, p, detail); });
  const std::size_t max_failures = full ? incident_limits::max_failing_probes : summary_failing_probes;
  const std::size_t written = bounded_array(w, "failing_probes", inc.failing_probes, max_failures,
                                            [&](const auto& f) { write_failure(w, f); });
  key(w, "failing_probes_omitted");
  w.Uint64(inc.failing_probes_omitted + (inc.failing_probes.size() - written));
  nullable(w, "probe_before", inc.probe_before, [&](const auto& p) { write_probe_start(w, p); });
  if (full) {
    bounded_array(w, "probes_started_before", inc.probes_started_before, incident_limits::max_probe_starts,
                  [&](const auto& p) { write_probe_start(w, p); });
    bounded_array(w, "console", inc.console, incident_limits::max_console_lines,
                  [&](const auto& c) { write_console_line(w, "kind", to_string(c.kind), c.line, c.offset); });
    bounded_array(w, "last_lines", inc.last_lines, incident_limits::max_last_lines, [&](const auto& l) {
      write_console_line(w, "stream", to_string(l.stream), l.line, l.offset);
    });
  }
  nullable(w, "suspected_probe", inc.suspected_probe,
           [&](const auto& probe) { text(w, probe, incident_limits::max_name_bytes); });
  key(w, "suspended");
  w.Bool(inc.suspended);
  key(w, "occurrences");
  w.Uint64(inc.occurrences);
  key(w, "last_occurrence_at");
  text(w, format_utc(inc.last_occurrence.wall));
  bounded_array(w, "triggers", inc.triggers, incident_limits::max_triggers, [&](const auto& t) {
    w.StartObject();
    key(w, "probe");
    text(w, t.probe, incident_limits::max_name_bytes);
    key(w, "route");
    text(w, t.route, incident_limits::max_route_bytes);
    key(w, "occurrences");
    w.Uint64(t.occurrences);
    w.EndObject();
  });
  key(w, "triggers_omitted");
  w.Uint64(inc.triggers_omitted);
  w.EndObject();
}

std::string incident_to_json(const incident& inc, incident_json_detail detail) {
  rapidjson::StringBuffer buffer;
  incident_json_writer w(buffer);
  write_incident(w, inc, detail);
  return {buffer.GetString(), buffer.GetSize()};
}

void write_incidents_status(incident_json_writer& w, const std::vector<incident>& open,
                            const std::deque<incident>& recent, std::size_t max_recent) {
  w.StartObject();
  key(w, "open");
  w.StartArray();
  for (auto it = open.rbegin(); it != open.rend(); ++it) {
    write_incident(w, *it, incident_json_detail::summary);
  }
  w.EndArray();
  key(w, "recent");
  w.StartArray();
  std::size_t n = 0;
  for (auto it = recent.rbegin(); it != recent.rend() && n < max_recent; ++it, ++n) {
    write_incident(w, *it, incident_json_detail::summary);
  }
  w.EndArray();
  w.EndObject();
}

std::string incidents_status_json(const std::vector<incident>& open, const std::deque<incident>& recent,
                                  std::size_t max_recent) {
  rapidjson::StringBuffer buffer;
  incident_json_writer w(buffer);
  write_incidents_status(w, open, recent, max_recent);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace meshwatch

#include "daemon/incidents/incident.hpp"

#include <cstdio>
#include <ctime>

#include "daemon/incidents/bounded_text.hpp"

namespace meshwatch {

std::string_view to_string(incident_kind kind) {
  switch (kind) {
    case incident_kind::crash: return "crash";
    case incident_kind::clean_exit: return "clean_exit";
    case incident_kind::stopped: return "stopped";
    case incident_kind::panic: return "panic";
    case incident_kind::crash_loop: return "crash_loop";
    case incident_kind::not_ready: return "not_ready";
    case incident_kind::endpoint_outage: return "endpoint_outage";
    case incident_kind::heartbeat_stale: return "heartbeat_stale";
  }
  return "crash";
}

incident_panic make_incident_panic(const panic_details& details, incident_offset offset) {
  using l = incident_limits;
  incident_panic p;
  p.kind = details.kind;
  p.thread = bounded_text(details.thread, l::max_name_bytes);
  p.location = bounded_text(details.location, l::max_route_bytes);
  p.message = bounded_text(details.message, l::max_message_bytes);
  p.aborted = details.aborted;
  p.caught = details.caught;
  const std::size_t kept =
      details.lines.size() < l::max_panic_lines ? details.lines.size() : l::max_panic_lines;
  p.lines.reserve(kept);
  for (std::size_t i = 0; i < kept; ++i) {
    p.lines.push_back(bounded_text(details.lines[i], l::max_line_bytes));
  }
  p.lines_omitted = details.lines.size() - kept;
  p.offset = offset;
  return p;
}

incident_probe_failure make_incident_probe_failure(std::string_view probe, std::string_view route,
                                                   std::optional<failure_reason> reason,
                                                   std::string_view detail, int http_status, bool starting,
                                                   incident_offset offset) {
  using l = incident_limits;
  incident_probe_failure f;
  f.probe = bounded_text(probe, l::max_name_bytes);
  f.route = bounded_text(route, l::max_route_bytes);
  f.reason = reason;
  f.detail = bounded_text(detail, l::max_detail_bytes);
  f.http_status = http_status;
  f.starting = starting;
  f.offset = offset;
  return f;
}

std::string describe_exit(const std::optional<exit_report>& exit) {
  if (!exit) {
    return "exited, status unknown";
  }
  std::string text;
  switch (exit->status.how) {
    case exit_status::kind::signaled: text = signal_name(exit->status.signal); break;
    case exit_status::kind::exited: text = "exit " + std::to_string(exit->status.code); break;
    case exit_status::kind::unknown: text = "exited, status unknown"; break;
  }
  text += " (" + std::string(to_string(exit->classification)) + ")";
  if (exit->uptime.count() > 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " after %.1f s", static_cast<double>(exit->uptime.count()) / 1000.0);
    text += buf;
  }
  return text;
}

namespace {

struct utc_parts {
  std::tm tm{};
  long millis = 0;
};

utc_parts split_utc(std::chrono::system_clock::time_point wall) {
  using namespace std::chrono;
  const auto since = wall.time_since_epoch();
  auto secs = duration_cast<seconds>(since);
  auto ms = duration_cast<milliseconds>(since - secs).count();
  if (ms < 0) {  // before 1970: keep the millisecond part positive
    secs -= seconds{1};
    ms += 1000;
  }
  utc_parts parts;
  const std::time_t t = static_cast<std::time_t>(secs.count());
  gmtime_r(&t, &parts.tm);
  parts.millis = static_cast<long>(ms);
  return parts;
}

}  // namespace

std::string make_incident_id(std::chrono::system_clock::time_point wall, std::uint64_t n) {
  const auto p = split_utc(wall);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d.%03ldZ-%06llu", p.tm.tm_year + 1900,
                p.tm.tm_mon + 1, p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, p.millis,
                static_cast<unsigned long long>(n));
  return buf;
}

std::string format_utc(std::chrono::system_clock::time_point wall) {
  const auto p = split_utc(wall);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, p.millis);
  return buf;
}

}  // namespace meshwatch

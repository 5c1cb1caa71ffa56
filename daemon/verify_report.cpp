#include "daemon/verify_report.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace meshwatch {
namespace {

constexpr std::size_t max_detail = 160;

double millis(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }
double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string verdict(const probe_result& r) {
  if (!r.passed) return "FAIL";
  return r.degraded ? "SLOW" : "PASS";
}

// Details come from Mesher's responses: one line, printable, bounded.
std::string one_line(std::string_view text, std::size_t limit = max_detail) {
  std::string out;
  for (char c : text.substr(0, limit)) {
    out += (c == '\n' || c == '\r' || c == '\t' || static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  if (text.size() > limit) out += "…";
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') ? ' ' : c;
    }
  }
  return out;
}

std::string table(const std::vector<probe_result>& results) {
  std::size_t probe_width = 5;
  std::size_t route_width = 5;
  for (const auto& r : results) {
    probe_width = std::max(probe_width, r.probe.size());
    route_width = std::max(route_width, std::min<std::size_t>(r.route.size(), 60));
  }
  std::string out =
      fmt::format("{:<6} {:<{}} {:<10} {:<8} {:<6} {:<{}} {:>6} {:>9}  {}\n", "RESULT", "PROBE", probe_width,
                  "TARGET", "KIND", "METHOD", "ROUTE", route_width, "STATUS", "TIME_MS", "REASON");
  std::size_t passed = 0;
  for (const auto& r : results) {
    if (r.passed) ++passed;
    std::string reason =
        r.passed ? "" : std::string(r.reason ? to_string(*r.reason) : "internal") + ": " + one_line(r.detail);
    out += fmt::format(
        "{:<6} {:<{}} {:<10} {:<8} {:<6} {:<{}} {:>6} {:>9.1f}  {}\n", verdict(r), r.probe, probe_width,
        r.target, to_string(r.kind), r.method.empty() ? "-" : r.method, one_line(r.route, 60), route_width,
        r.http_status == 0 ? std::string("-") : std::to_string(r.http_status), millis(r.duration), reason);
  }
  out +=
      fmt::format("\n{} of {} probes passed, {} failed\n", passed, results.size(), results.size() - passed);
  return out;
}

std::string json(const std::vector<probe_result>& results) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("passed");
  w.Bool(all_passed(results));
  w.Key("results");
  w.StartArray();
  for (const auto& r : results) {
    w.StartObject();
    w.Key("probe");
    str(r.probe);
    w.Key("target");
    str(r.target);
    w.Key("kind");
    str(to_string(r.kind));
    w.Key("route");
    str(r.route);
    w.Key("method");
    str(r.method);
    w.Key("passed");
    w.Bool(r.passed);
    w.Key("degraded");
    w.Bool(r.degraded);
    w.Key("reason");
    if (r.reason && !r.passed) {
      str(to_string(*r.reason));
    } else {
      w.Null();
    }
    w.Key("detail");
    str(r.detail.substr(0, 1024));
    w.Key("http_status");
    w.Int(r.http_status);
    w.Key("duration_seconds");
    w.Double(seconds(r.duration));
    w.Key("stages");
    w.StartObject();
    for (const auto& [stage, elapsed] : r.stages) {
      w.Key(stage.c_str());
      w.Double(seconds(elapsed));
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string junit(const std::vector<probe_result>& results) {
  std::size_t failures = 0;
  std::chrono::nanoseconds total{};
  for (const auto& r : results) {
    if (!r.passed) ++failures;
    total += r.duration;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuite name=\"meshwatch verify\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
      results.size(), failures, seconds(total));
  for (const auto& r : results) {
    out += fmt::format("  <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3f}\"", xml_escape(r.target),
                       to_string(r.kind), xml_escape(r.probe), seconds(r.duration));
    if (r.passed) {
      out += "/>\n";
      continue;
    }
    auto reason = std::string(r.reason ? to_string(*r.reason) : "internal");
    out += fmt::format(">\n    <failure type=\"{}\" message=\"{}\">{} {} → {}</failure>\n  </testcase>\n",
                       xml_escape(reason), xml_escape(one_line(r.detail)), xml_escape(r.method),
                       xml_escape(r.route), xml_escape(r.detail.substr(0, 4096)));
  }
  out += "</testsuite>\n";
  return out;
}

}  // namespace

bool all_passed(const std::vector<probe_result>& results) {
  return std::all_of(results.begin(), results.end(), [](const probe_result& r) { return r.passed; });
}

std::string render_verify_report(const std::vector<probe_result>& results, report_format format) {
  switch (format) {
    case report_format::table: return table(results);
    case report_format::json: return json(results);
    case report_format::junit: return junit(results);
  }
  return table(results);
}

}  // namespace meshwatch

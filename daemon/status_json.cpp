#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>

#include "daemon/probe_engine.hpp"

namespace meshwatch {
namespace {

constexpr std::size_t max_detail_bytes = 512;

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view text) {
  // Details can carry bytes from Mesher's responses: cut them, and let the writer escape them.
  auto cut = text.substr(0, max_detail_bytes);
  w.String(cut.data(), static_cast<rapidjson::SizeType>(cut.size()));
}

}  // namespace

std::string render_status_json(const std::vector<probe_status>& probes) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("probes");
  w.StartArray();
  for (const auto& p : probes) {
    w.StartObject();
    w.Key("probe");
    write_string(w, p.probe);
    w.Key("target");
    write_string(w, p.target);
    w.Key("kind");
    write_string(w, p.kind);
    w.Key("route");
    write_string(w, p.route);
    w.Key("method");
    write_string(w, p.method);
    w.Key("state");
    write_string(w, p.state);
    w.Key("regressed");
    w.Bool(p.regressed);
    w.Key("regression_ratio");
    w.Double(p.regression_ratio);
    if (!p.suspended_because.empty()) {
      w.Key("suspended_because");
      write_string(w, p.suspended_because);
    }
    w.Key("last");
    if (p.has_result) {
      const auto& r = p.last;
      w.StartObject();
      w.Key("passed");
      w.Bool(r.passed);
      w.Key("degraded");
      w.Bool(r.degraded);
      w.Key("inconclusive");
      w.Bool(r.inconclusive || r.starting);
      w.Key("reason");
      if (r.reason) {
        write_string(w, to_string(*r.reason));
      } else {
        w.Null();
      }
      w.Key("detail");
      write_string(w, r.detail);
      w.Key("http_status");
      w.Int(r.http_status);
      w.Key("duration_seconds");
      w.Double(std::chrono::duration<double>(r.duration).count());
      w.Key("started");
      w.Double(std::chrono::duration<double>(r.started_wall.time_since_epoch()).count());
      w.EndObject();
    } else {
      w.Null();
    }
    w.Key("recent_seconds");
    w.StartArray();
    for (double d : p.recent_seconds) w.Double(d);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  // The server's clock, so readers (the status page) compute ages without trusting their own.
  w.Key("generated_at_unix");
  w.Double(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace meshwatch

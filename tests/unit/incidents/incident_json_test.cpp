#include "daemon/incidents/incident_json.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <deque>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

rapidjson::Document parse_strict(const std::string& json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
  EXPECT_FALSE(d.HasParseError()) << rapidjson::GetParseError_En(d.GetParseError()) << " at "
                                  << d.GetErrorOffset() << " in " << json;
  return d;
}

incident sample() {
  incident inc;
  inc.id = "20250101T120000.000Z-000001";
  inc.sequence = 1;
  inc.target = "mesher";
  inc.kind = incident_kind::crash;
  inc.summary = "SIGSEGV (native_crash) after 12.0 s";
  inc.opened_at = {std::chrono::system_clock::time_point{} + 1'735'732'800s,
                   std::chrono::steady_clock::time_point{}};
  exit_report e;
  e.status = exit_status::killed_by(11, true);
  e.classification = exit_classification::native_crash;
  e.uptime = 12'000ms;
  inc.exit = e;
  inc.pid = 4242;
  inc.probe_before = incident_probe_start{"ingest_event", "/api/v1/events", -1000ms};
  inc.probes_started_before = {*inc.probe_before};
  inc.failing_probes.push_back({"dashboard_health", "/api/v1/projects/:project_id/dashboard/health",
                                failure_reason::connect_refused, "refused", 0, false, 2500ms});
  return inc;
}

TEST(incident_json, fields_are_written_as_documented) {
  auto inc = sample();
  inc.suspected_probe = "ingest_event";
  inc.suspended = true;
  inc.closed_at = incident_time{inc.opened_at.wall + 10s, inc.opened_at.mono + 10s};
  inc.close_reason = "window_passed";
  const auto json = incident_to_json(inc);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  auto d = parse_strict(json);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["id"].GetString(), "20250101T120000.000Z-000001");
  EXPECT_STREQ(d["kind"].GetString(), "crash");
  EXPECT_STREQ(d["state"].GetString(), "closed");
  EXPECT_STREQ(d["opened_at"].GetString(), "2025-01-01T12:00:00.000Z");
  EXPECT_STREQ(d["closed_at"].GetString(), "2025-01-01T12:00:10.000Z");
  EXPECT_DOUBLE_EQ(d["duration_seconds"].GetDouble(), 10.0);
  EXPECT_EQ(d["pid"].GetInt(), 4242);
  EXPECT_STREQ(d["exit"]["signal"].GetString(), "SIGSEGV");
  EXPECT_EQ(d["exit"]["signal_number"].GetInt(), 11);
  EXPECT_TRUE(d["exit"]["code"].IsNull());
  EXPECT_TRUE(d["exit"]["core_dumped"].GetBool());
  EXPECT_STREQ(d["exit"]["classification"].GetString(), "native_crash");
  EXPECT_STREQ(d["probe_before"]["probe"].GetString(), "ingest_event");
  EXPECT_STREQ(d["probe_before"]["route"].GetString(), "/api/v1/events");
  EXPECT_DOUBLE_EQ(d["probe_before"]["offset_seconds"].GetDouble(), -1.0);
  ASSERT_EQ(d["failing_probes"].Size(), 1U);
  EXPECT_STREQ(d["failing_probes"][0]["reason"].GetString(), "connect_refused");
  EXPECT_STREQ(d["suspected_probe"].GetString(), "ingest_event");
  EXPECT_TRUE(d["suspended"].GetBool());
}

TEST(incident_json, open_incident_has_nulls_where_nothing_is_known) {
  incident inc;
  inc.kind = incident_kind::endpoint_outage;
  auto d = parse_strict(incident_to_json(inc));
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["state"].GetString(), "open");
  EXPECT_TRUE(d["closed_at"].IsNull());
  EXPECT_TRUE(d["exit"].IsNull());
  EXPECT_TRUE(d["pid"].IsNull());
  EXPECT_TRUE(d["probe_before"].IsNull());
  EXPECT_TRUE(d["suspected_probe"].IsNull());
  EXPECT_STREQ(d["kind"].GetString(), "endpoint_outage");
}

TEST(incident_json, hostile_strings_are_escaped_and_made_valid_utf8) {
  auto inc = sample();
  const std::string hostile =
      std::string("he said \"hi\"\\ \n\t\r\x01\x1f end ") + std::string("\0", 1) + "\xFF\xFE\xC3";
  inc.target = hostile;
  inc.summary = hostile;
  inc.detail = hostile;
  inc.failing_probes[0].detail = hostile;
  inc.failing_probes[0].probe = hostile;
  incident_panic p;
  p.message = hostile;
  p.thread = "ws-accept-8081\"}";
  p.lines = {hostile, "</script><script>alert(1)</script>"};
  inc.panics.push_back(p);
  inc.console.push_back({console_event_kind::user_match, hostile, -1ms});
  inc.suspected_probe = hostile;

  const auto json = incident_to_json(inc);
  EXPECT_EQ(json.find('\n'), std::string::npos);  // still one line
  EXPECT_EQ(json.find('\x01'), std::string::npos);
  auto d = parse_strict(json);
  ASSERT_TRUE(d.IsObject());
  const std::string expected = std::string("he said \"hi\"\\ \n\t\r\x01\x1f end ") +
                               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD";
  EXPECT_EQ(std::string(d["target"].GetString(), d["target"].GetStringLength()), expected);
  EXPECT_EQ(std::string(d["panics"][0]["message"].GetString()), expected);
  EXPECT_STREQ(d["panics"][0]["thread"].GetString(), "ws-accept-8081\"}");
  EXPECT_EQ(std::string(d["suspected_probe"].GetString()), expected);
  EXPECT_EQ(std::string(d["console"][0]["line"].GetString()), expected);
}

TEST(incident_json, oversized_content_is_bounded_even_when_built_by_hand) {
  auto inc = sample();
  const std::string huge(10'000, '\x01');  // worst case: every byte escapes to six
  inc.id = huge;
  inc.summary = huge;
  inc.detail = huge;
  incident_panic p;
  p.message = huge;
  p.lines.assign(100, huge);
  inc.panics.assign(10, p);
  inc.failing_probes.assign(100, {huge, huge, failure_reason::timeout, huge, 500, false, 0ms});
  inc.console.assign(100, {console_event_kind::user_match, huge, 0ms});
  const auto json = incident_to_json(inc);
  EXPECT_LT(json.size(), 256U * 1024U);
  auto d = parse_strict(json);
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["panics"].Size(), incident_limits::max_panics);
  EXPECT_EQ(d["panics"][0]["lines"].Size(), incident_limits::max_panic_lines);
  EXPECT_EQ(d["failing_probes"].Size(), incident_limits::max_failing_probes);
  EXPECT_EQ(d["failing_probes_omitted"].GetUint64(), 100U - incident_limits::max_failing_probes);
  EXPECT_EQ(d["console"].Size(), incident_limits::max_console_lines);
}

TEST(incident_json, last_lines_are_in_the_full_form_bounded) {
  auto inc = sample();
  inc.last_lines.assign(incident_limits::max_last_lines + 50,
                        {"[Mesher] Health check: ok", console_stream::out, -2500ms});
  inc.last_lines.back() = {std::string(1000, 'y'), console_stream::err, -1ms};
  auto d = parse_strict(incident_to_json(inc));
  ASSERT_TRUE(d.IsObject());
  const auto& lines = d["last_lines"];
  ASSERT_EQ(lines.Size(), incident_limits::max_last_lines);
  EXPECT_STREQ(lines[0]["stream"].GetString(), "stdout");
  EXPECT_STREQ(lines[0]["line"].GetString(), "[Mesher] Health check: ok");
  EXPECT_DOUBLE_EQ(lines[0]["offset_seconds"].GetDouble(), -2.5);
}

TEST(incident_json, summary_form_leaves_out_bulky_lists) {
  auto inc = sample();
  inc.last_lines.assign(3, {"line", console_stream::merged, 0ms});
  incident_panic p;
  p.lines = {"a", "b"};
  inc.panics.push_back(p);
  inc.failing_probes.assign(20, inc.failing_probes[0]);
  auto d = parse_strict(incident_to_json(inc, incident_json_detail::summary));
  ASSERT_TRUE(d.IsObject());
  EXPECT_FALSE(d["panics"][0].HasMember("lines"));
  EXPECT_FALSE(d.HasMember("console"));
  EXPECT_FALSE(d.HasMember("last_lines"));
  EXPECT_FALSE(d.HasMember("probes_started_before"));
  EXPECT_EQ(d["failing_probes"].Size(), summary_failing_probes);
  EXPECT_EQ(d["failing_probes_omitted"].GetUint64(), 20U - summary_failing_probes);
  EXPECT_TRUE(d["probe_before"].IsObject());
}

TEST(incident_json, status_lists_newest_first_and_caps_recent) {
  std::vector<incident> open{sample()};
  open[0].id = "open-1";
  std::deque<incident> recent;
  for (int i = 0; i < 60; ++i) {
    auto inc = sample();
    inc.id = "closed-" + std::to_string(i);
    inc.closed_at = inc.opened_at;
    recent.push_back(inc);
  }
  auto d = parse_strict(incidents_status_json(open, recent, 50));
  ASSERT_TRUE(d.IsObject());
  ASSERT_EQ(d["open"].Size(), 1U);
  EXPECT_STREQ(d["open"][0]["id"].GetString(), "open-1");
  ASSERT_EQ(d["recent"].Size(), 50U);
  EXPECT_STREQ(d["recent"][0]["id"].GetString(), "closed-59");
  EXPECT_STREQ(d["recent"][49]["id"].GetString(), "closed-10");
}

TEST(incident_json, ids_and_times_are_utc) {
  const auto t = std::chrono::system_clock::time_point{} + 1'735'732'800'123ms;
  EXPECT_EQ(make_incident_id(t, 42), "20250101T120000.123Z-000042");
  EXPECT_EQ(format_utc(t), "2025-01-01T12:00:00.123Z");
}

}  // namespace
}  // namespace meshwatch

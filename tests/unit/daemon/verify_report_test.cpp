#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include "daemon/status_command.hpp"
#include "daemon/verify_report.hpp"

#include "probes/json_body.hpp"

namespace meshwatch {
namespace {

std::vector<probe_result> sample() {
  probe_result pass;
  pass.probe = "fast_path";
  pass.target = "mesher";
  pass.route = "/__meshwatch";
  pass.method = "GET";
  pass.passed = true;
  pass.http_status = 404;
  pass.duration = std::chrono::milliseconds(3);
  probe_result fail;
  fail.probe = "ingest";
  fail.target = "mesher";
  fail.route = "/api/v1/events";
  fail.method = "POST";
  fail.passed = false;
  fail.reason = failure_reason::http_status;
  fail.detail = "status 400 (expected 202): '{\"error\":\"42883\t\t\t\toperator <&> \"quoted\" \x01'\n";
  fail.http_status = 400;
  fail.stages = {{"accepted", std::chrono::milliseconds(5)}};
  return {pass, fail};
}

TEST(verify_report, table_has_one_row_per_probe_and_a_summary) {
  auto text = render_verify_report(sample(), report_format::table);
  EXPECT_NE(text.find("PASS   fast_path"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL   ingest"), std::string::npos) << text;
  EXPECT_NE(text.find("http_status: status 400"), std::string::npos) << text;
  EXPECT_NE(text.find("1 of 2 probes passed, 1 failed"), std::string::npos) << text;
  // Mesher's tabs and newlines never break the table's lines.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
}

TEST(verify_report, json_is_valid_and_complete) {
  auto text = render_verify_report(sample(), report_format::json);
  auto doc = json_body::parse(text);
  ASSERT_TRUE(doc.ok()) << doc.error() << "\n" << text;
  const auto& root = doc.root();
  auto at = [](const rapidjson::Value& v, const char* key) -> const rapidjson::Value& {
    return v.FindMember(key)->value;
  };
  EXPECT_FALSE(at(root, "passed").GetBool());
  const auto& results = at(root, "results");
  ASSERT_EQ(results.Size(), 2u);
  EXPECT_STREQ(at(results[1], "reason").GetString(), "http_status");
  EXPECT_TRUE(at(results[0], "reason").IsNull());
  EXPECT_DOUBLE_EQ(at(at(results[1], "stages"), "accepted").GetDouble(), 0.005);
}

TEST(verify_report, junit_escapes_and_counts_failures) {
  auto text = render_verify_report(sample(), report_format::junit);
  EXPECT_NE(text.find(R"(tests="2" failures="1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(<testcase classname="mesher.http" name="fast_path")"), std::string::npos) << text;
  EXPECT_NE(text.find("&lt;&amp;&gt; &quot;quoted&quot;"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x01'), std::string::npos) << "XML 1.0 forbids this control character, even escaped";
}

TEST(verify_report, all_passed) {
  auto results = sample();
  EXPECT_FALSE(all_passed(results));
  results.pop_back();
  EXPECT_TRUE(all_passed(results));
}

TEST(status_table, renders_probes_and_flags_unhealthy) {
  bool unhealthy = false;
  auto table = render_status_table(
      R"({"probes":[{"probe":"a","target":"m","kind":"http","state":"healthy","last":{"passed":true,"duration_seconds":0.002}},
                    {"probe":"b","target":"m","kind":"ws","state":"unhealthy","last":{"passed":false,"reason":"timeout","detail":"read: timed out","duration_seconds":5}},
                    {"probe":"c","target":"m","kind":"pg","state":"unknown","last":null}]})",
      unhealthy);
  EXPECT_TRUE(unhealthy);
  EXPECT_NE(table.find("timeout: read: timed out"), std::string::npos) << table;
  EXPECT_NE(table.find("not run yet"), std::string::npos) << table;
  EXPECT_NE(table.find("1 healthy, 1 unhealthy or suspended, 1 not yet decided"), std::string::npos) << table;
}

TEST(status_table, malformed_documents_render_nothing) {
  bool unhealthy = true;
  EXPECT_EQ(render_status_table("not json", unhealthy), "");
  EXPECT_EQ(render_status_table(R"({"probes":{}})", unhealthy), "");
  EXPECT_EQ(render_status_table(R"([1,2])", unhealthy), "");
  // Wrong member types are shown as blanks, never a crash.
  EXPECT_NE(render_status_table(R"({"probes":[{"probe":1,"state":[],"last":"x"}]})", unhealthy), "");
}

}  // namespace
}  // namespace meshwatch

#include <gtest/gtest.h>

#include <ostream>

#include "json_test_support.hpp"
#include "probes/json_body.hpp"
#include "probes/response_check.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

expectation dashboard_expectation() {
  expectation e;
  e.status = {200};
  e.json = {{"/unresolved_count", json_type::number}, {"/events_24h", json_type::number}};
  return e;
}

http_observation response(int status, std::string_view body, std::chrono::nanoseconds latency = 5ms) {
  return http_observation{status, body, false, latency};
}

struct response_case {
  std::string_view name;
  expectation expect;
  http_observation seen;
  std::optional<failure_reason> reason;
  std::string_view detail;
  bool degraded = false;
};
void PrintTo(const response_case& c, std::ostream* os) { *os << c.name; }

class responses : public testing::TestWithParam<response_case> {};

TEST_P(responses, are_judged) {
  const response_case& c = GetParam();
  const check_result r = check_http_response(c.expect, c.seen, {{"project_id", "p1"}});
  EXPECT_EQ(r.passed, !c.reason.has_value());
  EXPECT_EQ(r.reason, c.reason);
  EXPECT_EQ(r.detail, c.detail);
  EXPECT_EQ(r.degraded, c.degraded);
}

expectation with_status(std::vector<int> codes) {
  expectation e;
  e.status = std::move(codes);
  return e;
}

expectation with_prefix(int status, std::string_view prefix) {
  expectation e = with_status({status});
  e.body_prefix = test::tmpl(prefix);
  return e;
}

expectation with_budget(expectation e, std::chrono::milliseconds budget) {
  e.degraded_after = budget;
  return e;
}

using fr = failure_reason;
const std::string_view good = R"({"unresolved_count": 1, "events_24h": 2})";

INSTANTIATE_TEST_SUITE_P(
    table, responses,
    testing::Values(
        response_case{"dashboard_ok", dashboard_expectation(), response(200, good), {}, ""},
        response_case{"any_2xx_by_default", expectation{}, response(204, ""), {}, ""},
        response_case{"any_2xx_upper_bound", expectation{}, response(299, ""), {}, ""},
        response_case{"redirect_is_not_2xx", expectation{}, response(301, ""), fr::http_status,
                      "status 301 (expected 2xx): ''"},
        response_case{
            "status_list", with_status({202, 429}), response(429, R"({"error":"rate limited"})"), {}, ""},
        response_case{"pgerr_500", dashboard_expectation(),
                      response(500, "PGERR: 42P18 could not determine data type"), fr::http_status,
                      "status 500 (expected 200): 'PGERR: 42P18 could not determine data type'"},
        response_case{"status_list_named", with_status({201, 202}), response(400, "x"), fr::http_status,
                      "status 400 (expected 201|202): 'x'"},
        response_case{"not_found_prefix", with_prefix(404, "Not Found"), response(404, "Not Found"), {}, ""},
        response_case{"prefix_with_variable",
                      with_prefix(500, "PGERR ${project_id}"),
                      response(500, "PGERR p1: boom"),
                      {},
                      ""},
        response_case{"prefix_mismatch", with_prefix(404, "Not Found"), response(404, "{\"error\":\"nope\"}"),
                      fr::body_mismatch, "body '{\"error\":\"nope\"}' does not start with 'Not Found'"},
        response_case{"prefix_longer_than_body", with_prefix(404, "Not Found"), response(404, "Not"),
                      fr::body_mismatch, "body 'Not' does not start with 'Not Found'"},
        response_case{"not_json", dashboard_expectation(), response(200, "Not Found"), fr::invalid_json,
                      "invalid JSON (offset 0: Invalid value.): 'Not Found'"},
        response_case{"empty_body", dashboard_expectation(), response(200, ""), fr::invalid_json,
                      "invalid JSON (offset 0: The document is empty.): ''"},
        response_case{"wrong_type", dashboard_expectation(),
                      response(200, R"({"unresolved_count": 1, "events_24h": "2"})"), fr::shape,
                      "/events_24h: expected number, got string"},
        response_case{"slow_is_degraded",
                      with_budget(dashboard_expectation(), 100ms),
                      response(200, good, 250ms),
                      {},
                      "latency 250ms over budget 100ms",
                      true},
        response_case{"at_budget_is_fine",
                      with_budget(dashboard_expectation(), 100ms),
                      response(200, good, 100ms),
                      {},
                      ""},
        response_case{"slow_failure_is_not_degraded", with_budget(dashboard_expectation(), 100ms),
                      response(503, "", 900ms), fr::http_status, "status 503 (expected 200): ''"}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(check_http_response, truncated_bodies_fail_on_size_alone) {
  const std::string body(1024, '[');
  http_observation seen = response(200, body);
  seen.body_truncated = true;
  const check_result r = check_http_response(dashboard_expectation(), seen, {});
  EXPECT_EQ(r.reason, failure_reason::too_large);
  EXPECT_EQ(r.detail, "body exceeds the size cap (cut at 1024 bytes)");
  // A wrong status is still the more useful reason.
  seen.status = 500;
  EXPECT_EQ(check_http_response(dashboard_expectation(), seen, {}).reason, failure_reason::http_status);
}

TEST(check_http_response, uses_a_body_parsed_by_the_caller) {
  const json_body parsed = test::json(R"({"unresolved_count": 1, "events_24h": 2})");
  // The bytes passed alongside are deliberately not JSON: the pre-parsed document must be used.
  const check_result r = check_http_response(dashboard_expectation(), response(200, "ignored"), {}, &parsed);
  EXPECT_TRUE(r.passed) << r.detail;
}

TEST(check_http_response, survives_hostile_bodies) {
  const std::string deep = test::nested_arrays(10'000);
  const std::string deep_unclosed = test::nested_arrays(200'000, false);
  const std::string binary("\x00\xff\xfe{\"a\":1}", 10);
  const std::string huge_number = "{\"unresolved_count\": 1e999, \"events_24h\": 1}";
  const std::string non_utf8 = "{\"unresolved_count\": 1, \"events_24h\": \"\xc3\x28\"}";
  for (const std::string* body : {&deep, &deep_unclosed, &binary, &huge_number, &non_utf8}) {
    const check_result r = check_http_response(dashboard_expectation(), response(200, *body), {});
    EXPECT_FALSE(r.passed);
    EXPECT_LE(r.detail.size(), 200U) << r.detail;
  }
  EXPECT_EQ(check_http_response(dashboard_expectation(), response(200, deep), {}).reason,
            failure_reason::shape);
  EXPECT_EQ(check_http_response(dashboard_expectation(), response(200, binary), {}).detail,
            "invalid JSON (offset 0: NUL byte in JSON text.): '\\x00\\xff\\xfe{\"a\":1}'");
  EXPECT_EQ(check_http_response(dashboard_expectation(), response(200, non_utf8), {}).reason,
            failure_reason::invalid_json);
}

TEST(status_allowed, default_is_2xx_only) {
  const expectation any;
  EXPECT_FALSE(status_allowed(any, 199));
  EXPECT_TRUE(status_allowed(any, 200));
  EXPECT_TRUE(status_allowed(any, 299));
  EXPECT_FALSE(status_allowed(any, 300));
  EXPECT_FALSE(status_allowed(any, 0));
  EXPECT_TRUE(status_allowed(with_status({404}), 404));
  EXPECT_FALSE(status_allowed(with_status({404}), 200));
}

}  // namespace
}  // namespace meshwatch

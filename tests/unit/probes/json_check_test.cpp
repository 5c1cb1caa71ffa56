#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <ostream>

#include "json_test_support.hpp"
#include "probes/json_check.hpp"

namespace meshwatch {
namespace {

// Shaped like Mesher's dashboard and issue-list responses.
constexpr std::string_view doc = R"({
  "unresolved_count": 3, "events_24h": "12", "new_today": 0,
  "issues": [{"id": "i1", "level": "error"}, {"id": "i2", "level": "warning"}],
  "mixed": [1, "two"], "empty_list": [], "empty_text": "", "empty_object": {},
  "ok": true, "type": "filters_updated", "ratio": 2.5, "big": 18446744073709551615,
  "nothing": null, "project_id": "8c9d"
})";

struct matcher_case {
  std::string_view name;
  std::string pointer;
  json_matcher matcher;
  std::optional<failure_reason> reason;  // nullopt: passes
  std::string_view detail;
};
void PrintTo(const matcher_case& c, std::ostream* os) { *os << c.name; }

class json_matchers : public testing::TestWithParam<matcher_case> {};

TEST_P(json_matchers, judge) {
  const matcher_case& c = GetParam();
  const json_body body = test::json(doc);
  const check_result r =
      check_json({{c.pointer, c.matcher}}, body.root(), {{"project_id", "8c9d"}, {"n", "3"}});
  EXPECT_EQ(r.passed, !c.reason.has_value());
  EXPECT_EQ(r.reason, c.reason);
  EXPECT_EQ(r.detail, c.detail);
  EXPECT_FALSE(r.degraded);
}

using fr = failure_reason;
INSTANTIATE_TEST_SUITE_P(
    table, json_matchers,
    testing::Values(
        matcher_case{"number", "/unresolved_count", json_type::number, {}, ""},
        matcher_case{"number_got_string", "/events_24h", json_type::number, fr::shape,
                     "/events_24h: expected number, got string"},
        matcher_case{"missing", "/nope", json_type::number, fr::shape, "/nope: no member 'nope'"},
        matcher_case{"null_type", "/nothing", json_type::null, {}, ""},
        matcher_case{"null_is_not_object", "/nothing", json_type::object, fr::shape,
                     "/nothing: expected object, got null"},
        matcher_case{"whole_document", "", json_type::object, {}, ""},
        matcher_case{"whole_document_wrong", "", json_type::array, fr::shape,
                     "(document): expected array, got object"},
        matcher_case{"boolean", "/ok", json_type::boolean, {}, ""},
        matcher_case{"non_empty_array", "/issues", json_non_empty{}, {}, ""},
        matcher_case{"non_empty_string", "/type", json_non_empty{}, {}, ""},
        matcher_case{"empty_array", "/empty_list", json_non_empty{}, fr::body_mismatch,
                     "/empty_list: expected non-empty, got empty array"},
        matcher_case{"empty_string", "/empty_text", json_non_empty{}, fr::body_mismatch,
                     "/empty_text: expected non-empty, got empty string"},
        matcher_case{"empty_object", "/empty_object", json_non_empty{}, fr::body_mismatch,
                     "/empty_object: expected non-empty, got empty object"},
        matcher_case{"non_empty_number", "/new_today", json_non_empty{}, fr::shape,
                     "/new_today: expected a non-empty string, array or object, got number"},
        matcher_case{"array_of_objects", "/issues", json_array_of{json_type::object}, {}, ""},
        matcher_case{"array_of_empty", "/empty_list", json_array_of{json_type::string}, {}, ""},
        matcher_case{"array_of_mixed", "/mixed", json_array_of{json_type::number}, fr::shape,
                     "/mixed: element 1: expected number, got string"},
        matcher_case{"array_of_not_array", "/type", json_array_of{json_type::object}, fr::shape,
                     "/type: expected array of object, got string"},
        matcher_case{"equals_true", "/ok", json_equals{true}, {}, ""},
        matcher_case{"equals_false", "/ok", json_equals{false}, fr::body_mismatch,
                     "/ok: expected false, got true"},
        matcher_case{"equals_bool_got_string", "/type", json_equals{true}, fr::shape,
                     "/type: expected true, got string 'filters_updated'"},
        matcher_case{"equals_number", "/unresolved_count", json_equals{3.0}, {}, ""},
        matcher_case{"equals_fraction", "/ratio", json_equals{2.5}, {}, ""},
        matcher_case{"equals_number_differs", "/unresolved_count", json_equals{4.0}, fr::body_mismatch,
                     "/unresolved_count: expected 4, got number 3"},
        matcher_case{"equals_number_got_string", "/events_24h", json_equals{12.0}, fr::shape,
                     "/events_24h: expected 12, got string '12'"},
        matcher_case{"equals_number_got_null", "/nothing", json_equals{0.0}, fr::shape,
                     "/nothing: expected 0, got null"},
        matcher_case{"equals_text", "/type", json_equals{test::tmpl("filters_updated")}, {}, ""},
        matcher_case{"equals_text_differs", "/type", json_equals{test::tmpl("error")}, fr::body_mismatch,
                     "/type: expected 'error', got string 'filters_updated'"},
        matcher_case{"equals_variable", "/project_id", json_equals{test::tmpl("${project_id}")}, {}, ""},
        matcher_case{"equals_text_vs_number", "/unresolved_count", json_equals{test::tmpl("${n}")}, {}, ""},
        matcher_case{
            "equals_text_vs_big_number", "/big", json_equals{test::tmpl("18446744073709551615")}, {}, ""},
        matcher_case{"equals_text_got_array", "/issues", json_equals{test::tmpl("x")}, fr::shape,
                     "/issues: expected string 'x', got array"},
        matcher_case{"unbound_variable", "/type", json_equals{test::tmpl("${issue_id}")}, fr::internal,
                     "/type: variable '${issue_id}' has no value"}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(check_json, names_several_failures_and_shape_wins) {
  const json_body body = test::json(doc);
  const check_result r = check_json({{"/ok", json_equals{false}},
                                     {"/events_24h", json_type::number},
                                     {"/a", json_type::number},
                                     {"/b", json_type::number},
                                     {"/c", json_type::number}},
                                    body.root(), {});
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, failure_reason::shape);
  EXPECT_EQ(
      r.detail,
      "/ok: expected false, got true; /events_24h: expected number, got string; /a: no member 'a'; +2 more");
}

TEST(check_json, empty_expectations_pass) {
  const json_body body = test::json("[]");
  EXPECT_TRUE(check_json({}, body.root(), {}).passed);
}

TEST(check_json, scans_a_large_array_of) {
  std::string text = "[";
  for (int i = 0; i < 100'000; ++i) {
    text += i == 0 ? "1" : ",1";
  }
  text += ",\"x\"]";
  const json_body body = test::json(text);
  const check_result r = check_json({{"", json_array_of{json_type::number}}}, body.root(), {});
  EXPECT_EQ(r.detail, "(document): element 100000: expected number, got string");
}

TEST(check_json, quotes_hostile_strings_briefly) {
  const std::string long_value(1000, 'A');
  const json_body body = test::json("{\"s\": \"\\u0000\\n" + long_value + "\"}");
  const check_result r = check_json({{"/s", json_equals{test::tmpl("x")}}}, body.root(), {});
  EXPECT_EQ(r.detail, "/s: expected 'x', got string '\\x00\\x0a" + std::string(62, 'A') + "'…");
}

struct capture_case {
  std::string_view name;
  std::string pointer;
  std::optional<std::string> value;
  std::string_view error;
};
void PrintTo(const capture_case& c, std::ostream* os) { *os << c.name; }

class captures : public testing::TestWithParam<capture_case> {};

TEST_P(captures, read_scalars_as_text) {
  const json_body body = test::json(
      R"({"id": "e-1", "n": 42, "neg": -7, "f": 2.50, "whole": 3.0, "big": 18446744073709551615,
          "huge": 1e300, "t": true, "z": null, "o": {}, "a": [1], "tiny": 0.1})");
  const parsed<std::string> got = capture_json_value(body.root(), GetParam().pointer);
  EXPECT_EQ(got.value, GetParam().value);
  EXPECT_EQ(got.error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    table, captures,
    testing::Values(capture_case{"string", "/id", "e-1", ""}, capture_case{"int", "/n", "42", ""},
                    capture_case{"negative", "/neg", "-7", ""}, capture_case{"fraction", "/f", "2.5", ""},
                    capture_case{"whole_double", "/whole", "3", ""},
                    capture_case{"uint64", "/big", "18446744073709551615", ""},
                    capture_case{"huge", "/huge", "1e+300", ""}, capture_case{"shortest", "/tiny", "0.1", ""},
                    capture_case{"boolean", "/t", "true", ""},
                    capture_case{"null", "/z", std::nullopt,
                                 "/z: cannot capture null (only strings, numbers and booleans)"},
                    capture_case{"object", "/o", std::nullopt,
                                 "/o: cannot capture object (only strings, numbers and booleans)"},
                    capture_case{"array", "/a", std::nullopt,
                                 "/a: cannot capture array (only strings, numbers and booleans)"},
                    capture_case{"missing", "/x", std::nullopt, "/x: no member 'x'"}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(capture_json_value, refuses_strings_too_long_to_be_ids) {
  const json_body body = test::json("{\"s\": \"" + std::string(max_capture_bytes + 1, 'x') + "\"}");
  EXPECT_EQ(capture_json_value(body.root(), "/s").error, "/s: string of 4097 bytes is too long to capture");
  const json_body ok = test::json("{\"s\": \"" + std::string(max_capture_bytes, 'x') + "\"}");
  EXPECT_EQ(capture_json_value(ok.root(), "/s").value->size(), max_capture_bytes);
}

}  // namespace
}  // namespace meshwatch

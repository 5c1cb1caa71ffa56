#include <gtest/gtest.h>

#include <ostream>

#include "json_test_support.hpp"
#include "probes/shape_fingerprint.hpp"

namespace meshwatch {
namespace {

shape_fingerprint fp(std::string_view text, const shape_limits& limits = {}) {
  return fingerprint_json(test::json(text).root(), limits);
}

struct text_case {
  std::string_view json;
  std::string_view shape;
};
void PrintTo(const text_case& c, std::ostream* os) { *os << c.json; }

class renders : public testing::TestWithParam<text_case> {};

TEST_P(renders, readably) { EXPECT_EQ(fp(GetParam().json).text, GetParam().shape) << GetParam().json; }

INSTANTIATE_TEST_SUITE_P(
    table, renders,
    testing::Values(text_case{"1", "number"}, text_case{"\"x\"", "string"}, text_case{"null", "null"},
                    text_case{"true", "boolean"}, text_case{"{}", "{}"}, text_case{"[]", "[]"},
                    text_case{R"({"b": [{"id": "x"}], "a": 1})", "{a:number,b:[{id:string}]}"},
                    // Element shapes merge: keys are united, differing types become unions.
                    text_case{R"([{"id": "x", "n": 1}, {"id": "y", "n": null, "extra": true}])",
                              "[{extra:boolean,id:string,n:null|number}]"},
                    text_case{R"([1, "a", [], {}])", "[number|string|{}|[]]"},
                    text_case{R"({"a b": 1, "c\"d": 2, "é": 3})",
                              R"({"a b":number,"c\"d":number,"\xc3\xa9":number})"},
                    text_case{R"({"": 1})", R"({"":number})"}));

TEST(shape_fingerprint, ignores_values_and_key_order) {
  const shape_fingerprint a = fp(R"({"count": 1, "items": [{"id": "a", "at": 1}], "ok": true})");
  const shape_fingerprint b = fp(R"({"ok": false, "items": [{"at": 99, "id": "zzz"}], "count": 1e9})");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_NE(a.hash, fp(R"({"count": "1", "items": [], "ok": true})").hash);
}

TEST(shape_fingerprint, hash_is_stable_across_builds) {
  // FNV-1a 64 of the text; a changed value here means every learned fingerprint would drift.
  // (Reference values computed independently, with a few lines of Python.)
  EXPECT_EQ(fp("1").hash, 0x8031a80d73f6ebe0ULL);
  EXPECT_EQ(fp(R"({"b": [{"id": "x"}], "a": 1})").hash, 0x75f77f8f2e5368bfULL);
}

TEST(shape_fingerprint, samples_only_the_first_array_elements) {
  shape_limits limits;
  limits.max_array_samples = 2;
  EXPECT_EQ(fp(R"([1, 2, "three"])", limits).text, "[number]");
  EXPECT_EQ(fp(R"([1, "two", 3])", limits).text, "[number|string]");
}

TEST(shape_fingerprint, bounds_depth_on_hostile_nesting) {
  const shape_fingerprint deep = fp(test::nested_arrays(10'000));
  EXPECT_EQ(deep.text, std::string(12, '[') + "[…]" + std::string(12, ']'));
  EXPECT_FALSE(deep.paths.at("/[]/[]/[]/[]/[]/[]/[]/[]/[]/[]/[]/[]").children_known);
  EXPECT_EQ(deep.paths.size(), 13U);
}

TEST(shape_fingerprint, objects_with_many_keys_are_maps) {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) {
    text += (i == 0 ? "" : ",") + ("\"" + std::to_string(i) + "\": 1");
  }
  text += "}";
  EXPECT_EQ(fp(text).text, "{…}");
  EXPECT_EQ(fp(R"({"per_level": )" + text + "}").text, "{per_level:{…}}");
}

TEST(shape_fingerprint, long_keys_are_cut) {
  shape_limits limits;
  limits.max_key_bytes = 4;
  EXPECT_EQ(fp(R"({"abcdefgh": 1})", limits).text, R"({"abcd...":number})");
}

TEST(shape_fingerprint, total_work_is_bounded) {
  // 200 × 200 nested objects would be 40k values; the visit budget stops well before.
  std::string inner = "{";
  for (int i = 0; i < 60; ++i) {
    inner += (i == 0 ? "" : ",") + ("\"k" + std::to_string(i) + "\": {\"x\": [1]}");
  }
  inner += "}";
  std::string outer = "[";
  for (int i = 0; i < 8; ++i) {
    outer += (i == 0 ? "" : ",") + inner;
  }
  outer += "]";
  shape_limits limits;
  limits.max_visits = 50;
  const shape_fingerprint f = fp(outer, limits);
  EXPECT_NE(f.text.find("…"), std::string::npos);
  EXPECT_LE(f.paths.size(), 200U);
}

TEST(shape_fingerprint, flattens_paths_with_escaped_keys) {
  const shape_fingerprint f = fp(R"({"a/b": {"c~d": [ {"id": 1} ]}, "n": null, "e": []})");
  EXPECT_EQ(f.paths.at("").kinds, shape_object);
  EXPECT_EQ(f.paths.at("/a~1b/c~0d/[]/id").kinds, shape_number);
  EXPECT_TRUE(f.paths.at("/a~1b/c~0d/[]").array_element);
  EXPECT_FALSE(f.paths.at("/e").children_known);
  EXPECT_TRUE(f.paths.at("/n").children_known);
}

struct diff_case {
  std::string_view name;
  std::string_view learned;
  std::string_view current;
  std::vector<std::string> added;
  std::vector<std::string> removed;
  std::vector<std::string> retyped;
};
void PrintTo(const diff_case& c, std::ostream* os) { *os << c.name; }

class diffs : public testing::TestWithParam<diff_case> {};

TEST_P(diffs, name_what_changed) {
  const diff_case& c = GetParam();
  const shape_diff d = diff_shapes(fp(c.learned), fp(c.current));
  EXPECT_EQ(d.added, c.added);
  EXPECT_EQ(d.removed, c.removed);
  EXPECT_EQ(d.retyped, c.retyped);
  EXPECT_EQ(d.empty(), c.added.empty() && c.removed.empty() && c.retyped.empty());
}

INSTANTIATE_TEST_SUITE_P(
    table, diffs,
    testing::Values(
        diff_case{"same", R"({"a": 1})", R"({"a": 2})", {}, {}, {}},
        diff_case{"retyped",
                  R"({"events_24h": 1})",
                  R"({"events_24h": "1"})",
                  {},
                  {},
                  {"/events_24h: number → string"}},
        diff_case{"added", R"({"a": 1})", R"({"a": 1, "b": [{"id": "x"}]})", {"/b: array"}, {}, {}},
        diff_case{"removed", R"({"a": 1, "b": {"c": 1}})", R"({"a": 1})", {}, {"/b: object"}, {}},
        diff_case{"nested_element_field",
                  R"([{"id": "x", "level": "error"}])",
                  R"([{"id": "x"}])",
                  {},
                  {"/[]/level: string"},
                  {}},
        diff_case{"root_retyped", R"({"a": 1})", R"([{"a": 1}])", {}, {}, {"(document): object → array"}},
        // Data, not shape: nulls and empty arrays say nothing about structure.
        diff_case{
            "null_to_value", R"({"resolved_at": null})", R"({"resolved_at": "2024-01-01"})", {}, {}, {}},
        diff_case{"value_to_null", R"({"assignee": {"id": "u"}})", R"({"assignee": null})", {}, {}, {}},
        diff_case{"nullable_union", R"([{"a": 1}, {"a": null}])", R"([{"a": 2}])", {}, {}, {}},
        diff_case{"list_emptied", R"({"issues": [{"id": "x"}]})", R"({"issues": []})", {}, {}, {}},
        diff_case{"list_filled", R"({"issues": []})", R"({"issues": [{"id": "x"}]})", {}, {}, {}},
        diff_case{"filled_list_then_field_changes",
                  R"({"issues": [{"id": "x"}]})",
                  R"({"issues": [{"id": 1}]})",
                  {},
                  {},
                  {"/issues/[]/id: string → number"}},
        diff_case{"many",
                  R"({"a": 1, "b": 2, "c": {"d": true}})",
                  R"({"a": "1", "c": {"d": true, "e": 0}, "f": null})",
                  {"/c/e: number", "/f: null"},
                  {"/b: number"},
                  {"/a: number → string"}}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(shape_diff, summary_is_bounded) {
  const shape_diff d =
      diff_shapes(fp(R"({"a": 1, "b": 1, "c": 1})"), fp(R"({"a": "x", "d": 1, "e": 1, "f": 1})"));
  EXPECT_EQ(d.summary(3), "retyped /a: number → string; removed /b: number; removed /c: number; +3 more");
  EXPECT_EQ(shape_diff{}.summary(), "");
}

}  // namespace
}  // namespace meshwatch

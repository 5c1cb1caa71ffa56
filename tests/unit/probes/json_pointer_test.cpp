#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <ostream>

#include "json_test_support.hpp"
#include "probes/json_pointer.hpp"
#include "probes/json_text.hpp"

namespace meshwatch {
namespace {

// RFC 6901 §5's example document, plus an array of objects.
constexpr std::string_view rfc_doc = R"({
  "foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5,
  "k\"l": 6, " ": 7, "m~n": 8, "items": [{"id": "x"}, {"id": "y"}], "n": null
})";

struct found_case {
  std::string_view pointer;
  std::string_view expected;  // the value, rendered by describe()
};
void PrintTo(const found_case& c, std::ostream* os) { *os << c.pointer; }

std::string describe(const rapidjson::Value& v) {
  if (v.IsString()) {
    return v.GetString();
  }
  if (v.IsNumber()) {
    return format_json_number(v);
  }
  return std::string{json_kind_name(v)};
}

class resolves : public testing::TestWithParam<found_case> {};

TEST_P(resolves, to_the_value) {
  const json_body doc = test::json(rfc_doc);
  const json_lookup found = resolve_json_pointer(doc.root(), GetParam().pointer);
  ASSERT_TRUE(found) << GetParam().pointer << ": " << found.error;
  EXPECT_EQ(describe(*found.value), GetParam().expected);
  EXPECT_TRUE(found.error.empty());
}

INSTANTIATE_TEST_SUITE_P(
    rfc6901, resolves,
    testing::Values(found_case{"", "object"}, found_case{"/foo", "array"}, found_case{"/foo/0", "bar"},
                    found_case{"/foo/1", "baz"}, found_case{"/", "0"}, found_case{"/a~1b", "1"},
                    found_case{"/c%d", "2"}, found_case{"/e^f", "3"}, found_case{"/g|h", "4"},
                    found_case{"/i\\j", "5"}, found_case{"/k\"l", "6"}, found_case{"/ ", "7"},
                    found_case{"/m~0n", "8"}, found_case{"/items/1/id", "y"}, found_case{"/n", "null"}));

struct miss_case {
  std::string_view pointer;
  std::string_view error;
};
void PrintTo(const miss_case& c, std::ostream* os) { *os << c.pointer; }

class misses : public testing::TestWithParam<miss_case> {};

TEST_P(misses, with_a_reason) {
  const json_body doc = test::json(rfc_doc);
  const json_lookup found = resolve_json_pointer(doc.root(), GetParam().pointer);
  EXPECT_FALSE(found);
  EXPECT_EQ(found.value, nullptr);
  EXPECT_EQ(found.error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(rfc6901, misses,
                         testing::Values(miss_case{"foo", "malformed JSON pointer 'foo'"},
                                         miss_case{"/m~2n", "malformed JSON pointer '/m~2n'"},
                                         miss_case{"/m~", "malformed JSON pointer '/m~'"},
                                         miss_case{"/missing", "no member 'missing'"},
                                         miss_case{"/a~01b",
                                                   "no member 'a~1b'"},  // ~01 is "~1" literally, not "/"
                                         miss_case{"/foo/2", "index 2 out of range (size 2)"},
                                         miss_case{"/foo/-", "array index '-' is not a number"},
                                         miss_case{"/foo/01", "array index '01' is not a number"},
                                         miss_case{"/foo/+1", "array index '+1' is not a number"},
                                         miss_case{"/foo/-1", "array index '-1' is not a number"},
                                         miss_case{"/foo/", "array index '' is not a number"},
                                         miss_case{"/foo/99999999999999999999999",
                                                   "index 99999999999999999999999 out of range (size 2)"},
                                         miss_case{"/foo/0/x", "cannot descend into string with 'x'"},
                                         miss_case{"/n/x", "cannot descend into null with 'x'"},
                                         miss_case{"/items/0/id/0", "cannot descend into string with '0'"}));

TEST(json_pointer, splits_and_unescapes_in_the_right_order) {
  // "~01" must become "~1" (unescape ~1 before ~0 would wrongly give "/").
  EXPECT_EQ(split_json_pointer("/~01/~10/a//"), (std::vector<std::string>{"~1", "/0", "a", "", ""}));
  EXPECT_EQ(split_json_pointer(""), std::vector<std::string>{});
  EXPECT_EQ(split_json_pointer("/"), std::vector<std::string>{""});
  EXPECT_FALSE(split_json_pointer("x/y"));
  EXPECT_FALSE(split_json_pointer("/~"));
}

TEST(json_pointer, numeric_keys_of_objects_are_member_names) {
  const json_body doc = test::json(R"({"0": "zero", "01": "one"})");
  EXPECT_EQ(describe(*resolve_json_pointer(doc.root(), "/0").value), "zero");
  EXPECT_EQ(describe(*resolve_json_pointer(doc.root(), "/01").value), "one");
}

TEST(json_pointer, walks_a_deep_document_without_recursion) {
  const std::size_t depth = 10'000;
  const json_body doc = test::json(test::nested_arrays(depth));
  std::string pointer;
  for (std::size_t i = 0; i + 1 < depth; ++i) {
    pointer += "/0";
  }
  const json_lookup found = resolve_json_pointer(doc.root(), pointer);
  ASSERT_TRUE(found) << found.error;
  EXPECT_TRUE(found.value->IsArray());
  EXPECT_TRUE(found.value->Empty());
}

TEST(json_pointer, hostile_bytes_in_errors_are_escaped) {
  const json_body doc = test::json(R"({"a": 1})");
  const json_lookup found = resolve_json_pointer(doc.root(), std::string_view{"/\xff\n'", 4});
  EXPECT_EQ(found.error, "no member '\\xff\\x0a\\''");
}

}  // namespace
}  // namespace meshwatch

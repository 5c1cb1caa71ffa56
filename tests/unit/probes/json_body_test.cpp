#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <ostream>

#include "json_test_support.hpp"
#include "probes/json_body.hpp"

namespace meshwatch {
namespace {

struct bad_case {
  std::string_view name;
  std::string body;
};
void PrintTo(const bad_case& c, std::ostream* os) { *os << c.name; }

class rejects : public testing::TestWithParam<bad_case> {};

TEST_P(rejects, as_invalid_without_crashing) {
  const json_body body = json_body::parse(GetParam().body);
  EXPECT_FALSE(body.ok());
  EXPECT_TRUE(body.error().starts_with("offset ")) << body.error();
}

// Mesher's own broken outputs (F-14's literal TABs, PGERR and `Not Found` bodies) come first.
INSTANTIATE_TEST_SUITE_P(
    hostile, rejects,
    testing::Values(bad_case{"empty", ""}, bad_case{"whitespace", " \n\t "},
                    bad_case{"not_found", "Not Found"}, bad_case{"pgerr", "PGERR: 42P18 could not determine"},
                    bad_case{"literal_tab_in_string", "{\"message\":\"a\tb\"}"},
                    bad_case{"truncated_object", R"({"a": 1)"}, bad_case{"trailing_comma", R"([1, 2,])"},
                    bad_case{"trailing_garbage", R"({"a": 1} x)"}, bad_case{"two_documents", "{} {}"},
                    bad_case{"single_quotes", "{'a': 1}"}, bad_case{"comment", "{} // hi"},
                    bad_case{"nan", "NaN"}, bad_case{"infinity", "[Infinity]"},
                    bad_case{"number_too_big", "1e400"}, bad_case{"negative_too_big", "[-1e99999]"},
                    bad_case{"leading_zero", "[01]"}, bad_case{"lone_minus", "[-]"},
                    bad_case{"invalid_utf8", "\"\xff\xfe\""}, bad_case{"overlong_utf8", "\"\xc0\xaf\""},
                    bad_case{"truncated_utf8", "\"\xe2\x82\""},
                    bad_case{"nul_byte", std::string("{\"a\":\0}", 7)},
                    bad_case{"trailing_nul", std::string("{\"a\":1}\0{}", 10)},
                    bad_case{"nul_in_string", std::string("[\"a\0b\"]", 7)},
                    bad_case{"bad_escape", R"(["\q"])"}, bad_case{"lone_surrogate", R"(["\ud800"])"},
                    bad_case{"deep_unclosed", test::nested_arrays(100'000, false)},
                    bad_case{"deep_objects_unclosed",
                             [] {
                               std::string s;
                               for (int i = 0; i < 50'000; ++i) {
                                 s += "{\"a\":";
                               }
                               return s;
                             }()}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(json_body, parses_deep_nesting_on_the_heap) {
  // The recursive parser overflows an 8 MiB stack near 100k levels; 1 MiB of brackets is the
  // worst a capped body can do.
  const json_body body = json_body::parse(test::nested_arrays(512 * 1024));
  ASSERT_TRUE(body.ok()) << body.error();
  EXPECT_TRUE(body.root().IsArray());
}

TEST(json_body, keeps_huge_integers_as_doubles) {
  const json_body body =
      test::json("[123456789012345678901234567890, 18446744073709551615, -9223372036854775808]");
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(body.root()[0].IsDouble());
  EXPECT_EQ(body.root()[1].GetUint64(), 18446744073709551615ULL);
  EXPECT_EQ(body.root()[2].GetInt64(), INT64_MIN);
}

TEST(json_body, accepts_valid_utf8_and_escapes) {
  const json_body body = test::json(R"({"name": "caf\u00e9 ☕", "s": "\ud83d\ude00"})");
  EXPECT_EQ(std::string{body.root()["name"].GetString()}, "café ☕");
}

TEST(json_body, reports_where_it_failed) {
  const json_body body = json_body::parse(R"({"a": 1,})");
  EXPECT_EQ(body.error(), "offset 8: Missing a name for object member.");
}

TEST(json_body, moves) {
  json_body a = test::json("[1]");
  json_body b = std::move(a);
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.root().Size(), 1U);
}

}  // namespace
}  // namespace meshwatch

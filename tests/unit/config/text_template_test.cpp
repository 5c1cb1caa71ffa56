#include <gtest/gtest.h>

#include "config/text_template.hpp"
#include "test_support.hpp"

namespace meshwatch {
namespace {

env_lookup env() { return test::fake_env({{"TOKEN", "s3cret"}}); }

text_template parsed_ok(std::string_view text) {
  parsed<text_template> t = text_template::parse(text, env());
  EXPECT_TRUE(t) << text << ": " << t.error;
  return t.value.value_or(text_template{});
}

TEST(text_template, renders_variables_and_keeps_the_source) {
  const text_template t = parsed_ok("/api/v1/projects/${project_id}/issues?limit=${n}");
  EXPECT_EQ(t.source(), "/api/v1/projects/${project_id}/issues?limit=${n}");
  EXPECT_EQ(t.variables(), (std::vector<std::string>{"project_id", "n"}));
  EXPECT_EQ(t.render({{"project_id", "P"}, {"n", "1"}}), "/api/v1/projects/P/issues?limit=1");
  EXPECT_EQ(t.render({{"project_id", "P"}}), std::nullopt);  // n unbound
}

TEST(text_template, expands_the_environment_at_parse_time) {
  const text_template t = parsed_ok("Bearer ${env:TOKEN} ${env:NONE:-anon}");
  EXPECT_TRUE(t.variables().empty());
  EXPECT_EQ(t.render({}), "Bearer s3cret anon");
  EXPECT_EQ(text_template::parse("${env:NONE}", env()).error,
            "environment variable 'NONE' is not set (write ${NONE:-fallback} to give a fallback)");
}

TEST(text_template, dollars) {
  // $$ is a literal $, and the result is never re-expanded: "$${x}" stays "${x}".
  EXPECT_EQ(parsed_ok("$${project_id} costs $$5").render({}), "${project_id} costs $5");
  // SQL placeholders and JSON need no escaping.
  EXPECT_EQ(parsed_ok("WHERE id = $1::uuid").render({}), "WHERE id = $1::uuid");
  EXPECT_EQ(parsed_ok("{\"filters\":{}}").render({}), "{\"filters\":{}}");
}

TEST(text_template, rejects_bad_references) {
  EXPECT_EQ(text_template::parse("/x/${project_id", env()).error,
            "unterminated '${' (write $$ for a literal $)");
  EXPECT_EQ(text_template::parse("${Project}", env()).error,
            "invalid variable name '${Project}' (lowercase letters, digits and _; ${env:NAME} for the "
            "environment)");
  EXPECT_EQ(text_template::parse("${}", env()).error,
            "invalid variable name '${}' (lowercase letters, digits and _; ${env:NAME} for the environment)");
}

TEST(text_template, literal_has_no_variables) {
  const text_template t = text_template::literal("${not_a_variable}");
  EXPECT_TRUE(t.variables().empty());
  EXPECT_EQ(t.render({}), "${not_a_variable}");
}

}  // namespace
}  // namespace meshwatch

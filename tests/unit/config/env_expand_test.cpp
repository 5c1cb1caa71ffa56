#include <gtest/gtest.h>

#include "config/env_expand.hpp"
#include "test_support.hpp"

namespace meshwatch {
namespace {

env_lookup env() { return test::fake_env({{"HOST", "10.0.0.7"}, {"EMPTY", ""}, {"PORT", "8080"}}); }

std::string expanded(std::string_view text) {
  parsed<std::string> r = expand_env(text, env());
  EXPECT_TRUE(r) << text << ": " << r.error;
  return r.value.value_or("<error>");
}

std::string failure(std::string_view text) {
  parsed<std::string> r = expand_env(text, env());
  EXPECT_FALSE(r) << text << " expanded to " << r.value.value_or("");
  return r.error;
}

TEST(expand_env, substitutes_variables) {
  EXPECT_EQ(expanded("http://${HOST}:${PORT}"), "http://10.0.0.7:8080");
  EXPECT_EQ(expanded("${HOST}${HOST}"), "10.0.0.710.0.0.7");
  EXPECT_EQ(expanded("no variables"), "no variables");
  EXPECT_EQ(expanded(""), "");
}

TEST(expand_env, uses_the_fallback_when_unset_or_empty) {
  EXPECT_EQ(expanded("${MISSING:-127.0.0.1}"), "127.0.0.1");
  EXPECT_EQ(expanded("${EMPTY:-x}"), "x");
  EXPECT_EQ(expanded("${MISSING:-}"), "");
  EXPECT_EQ(expanded("${HOST:-ignored}"), "10.0.0.7");
  EXPECT_EQ(expanded("${EMPTY}"), "");  // set but empty, no fallback: as the shell does
}

TEST(expand_env, dollar_escapes_and_lone_dollars) {
  EXPECT_EQ(expanded("$$"), "$");
  EXPECT_EQ(expanded("cost $$5 and $${HOST}"), "cost $5 and ${HOST}");
  EXPECT_EQ(expanded("$1 and $ and trailing $"), "$1 and $ and trailing $");
}

TEST(expand_env, reports_what_is_wrong) {
  EXPECT_EQ(failure("${MISSING}"),
            "environment variable 'MISSING' is not set (write ${MISSING:-fallback} to give a fallback)");
  EXPECT_EQ(failure("x${HOST"), "unterminated '${' (write $$ for a literal $)");
  EXPECT_EQ(failure("${}"),
            "invalid environment variable name '' (letters, digits and _, not starting with a digit)");
  EXPECT_EQ(failure("${A-B}"),
            "invalid environment variable name 'A-B' (letters, digits and _, not starting with a digit)");
  EXPECT_EQ(failure("${1X}"),
            "invalid environment variable name '1X' (letters, digits and _, not starting with a digit)");
}

TEST(expand_env, the_process_environment_is_the_default) {
  // Read-only use of the real environment: PATH is set in every test runner.
  const parsed<std::string> r = expand_env("${PATH}", process_env());
  ASSERT_TRUE(r) << r.error;
  EXPECT_FALSE(r.value->empty());
}

TEST(load_config, expands_the_environment_outside_probes) {
  const load_result r = test::load_text(
      "admin: { listen: '${ADMIN:-127.0.0.1:9999}' }\n"
      "targets:\n"
      "  - name: mesher\n"
      "    http: http://${HOST}:8080\n",
      {{"HOST", "10.1.2.3"}});
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(test::error_lines(r));
  EXPECT_EQ(r.value->admin.listen.text(), "127.0.0.1:9999");
  EXPECT_EQ(r.value->targets[0].http.host, "10.1.2.3");
}

TEST(load_config, an_unset_variable_is_an_error_at_its_value) {
  const load_result r = test::load_text(
      "targets:\n"
      "  - name: mesher\n"
      "    http: http://127.0.0.1:8080\n"
      "    database: { dsn: \"${DB_DSN}\" }\n");
  EXPECT_EQ(test::error_lines(r),
            std::vector<std::string>{
                "test.yaml:4:22: targets[0].database.dsn: environment variable 'DB_DSN' is not "
                "set (write ${DB_DSN:-fallback} to give a fallback)"});
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace meshwatch

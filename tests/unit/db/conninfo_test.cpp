#include "daemon/db/conninfo.hpp"

#include <gtest/gtest.h>

#include "daemon/db/pg_query_poll.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(conninfo, uri_with_password_is_redacted) {
  parsed<conninfo> info = build_conninfo("postgres://mesh:s3cr%27et@127.0.0.1:5432/mesher", nullptr, {});
  ASSERT_TRUE(info) << info.error;
  EXPECT_TRUE(has(info.value->text, "password='s3cr\\'et'")) << info.value->text;
  EXPECT_FALSE(has(info.value->redacted, "s3cr")) << info.value->redacted;
  EXPECT_TRUE(has(info.value->redacted, "password='***'"));
  EXPECT_TRUE(has(info.value->text, "host='127.0.0.1'"));
  EXPECT_TRUE(has(info.value->text, "dbname='mesher'"));
  EXPECT_EQ(info.value->user, "mesh");
  EXPECT_EQ(info.value->password.reveal(), "s3cr'et");
}

TEST(conninfo, the_configured_secret_replaces_the_dsn_password) {
  const secret password("from-file\\x");
  parsed<conninfo> info =
      build_conninfo("host=127.0.0.1 user=mesh password=old dbname=mesher", &password, {});
  ASSERT_TRUE(info) << info.error;
  EXPECT_TRUE(has(info.value->text, "password='from-file\\\\x'")) << info.value->text;
  EXPECT_FALSE(has(info.value->text, "old"));
  EXPECT_FALSE(has(info.value->redacted, "from-file"));
}

TEST(conninfo, no_password_means_no_password_keyword) {
  parsed<conninfo> info = build_conninfo("postgresql://mesh@127.0.0.1/mesher", nullptr, {});
  ASSERT_TRUE(info);
  EXPECT_FALSE(has(info.value->text, "password="));
  EXPECT_TRUE(info.value->password.empty());
}

TEST(conninfo, timeouts_keepalives_and_application_name) {
  conninfo_options options;
  options.connect_timeout = 500ms;  // libpq's minimum is 2 s
  parsed<conninfo> info = build_conninfo("postgres://mesh@127.0.0.1/mesher", nullptr, options);
  ASSERT_TRUE(info);
  EXPECT_TRUE(has(info.value->text, "connect_timeout='2'")) << info.value->text;
  EXPECT_TRUE(has(info.value->text, "application_name='meshwatch'"));
  EXPECT_TRUE(has(info.value->text, "keepalives='1'"));

  options.connect_timeout = 3500ms;  // rounded up, never down
  info = build_conninfo("postgres://mesh@127.0.0.1/mesher?application_name=mine&connect_timeout=60", nullptr,
                        options);
  ASSERT_TRUE(info);
  EXPECT_TRUE(has(info.value->text, "connect_timeout='4'")) << info.value->text;
  EXPECT_TRUE(has(info.value->text, "application_name='mine'"));
}

TEST(conninfo, invalid_dsn_error_does_not_echo_it) {
  parsed<conninfo> info =
      build_conninfo("postgres://mesh:hunter2@127.0.0.1:5432/mesher?bogus_option=1", nullptr, {});
  ASSERT_FALSE(info);
  EXPECT_TRUE(has(info.error, "invalid database DSN")) << info.error;
  EXPECT_FALSE(has(info.error, "hunter2")) << info.error;
  EXPECT_FALSE(has(info.error, "bogus_option")) << info.error;

  EXPECT_FALSE(build_conninfo("host=localhost password='unterminated", nullptr, {}));
}

TEST(bounded_message, one_line_scrubbed_and_capped) {
  const secret hidden("hunter2");
  EXPECT_EQ(bounded_message("FATAL:  password hunter2 rejected\nDETAIL: x\n", hidden),
            "FATAL:  password *** rejected; DETAIL: x");
  EXPECT_EQ(bounded_message("a\tb\x01"
                            "c",
                            secret{}),
            "a b c");
  const std::string long_text(1000, 'z');
  EXPECT_EQ(bounded_message(long_text, secret{}, 10), std::string(10, 'z') + "…");
  // Cut on a UTF-8 boundary: "é" is two bytes.
  EXPECT_EQ(bounded_message("aé", secret{}, 2), "a…");
}

TEST(poll_sql, wrapped_with_a_limit) {
  EXPECT_EQ(limited_poll_sql("SELECT 1;\n ", 5), "SELECT * FROM (SELECT 1\n) AS meshwatch_poll LIMIT 5");
}

}  // namespace
}  // namespace meshwatch

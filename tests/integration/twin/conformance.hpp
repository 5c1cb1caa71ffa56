#pragma once
// Shared fixture of the route conformance tests: one twin per test, in both modes, with a
// freshly seeded synthetic tenant.
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/twin/twin_harness.hpp"

namespace meshwatch::twin_test {

class TwinRoutes : public ::testing::TestWithParam<std::string> {
 protected:
  bool fixed() const { return GetParam() == "fixed"; }
  twin_process twin{twin_config{.mode = GetParam()}};
  tenant t = seed_tenant();
};

inline std::string mode_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

#define TWIN_BOTH_MODES(suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Modes, suite, ::testing::Values("snapshot", "fixed"), \
                           ::meshwatch::twin_test::mode_name)

/** Status and exact body. */
#define EXPECT_REPLY(response, status_code, exact_body)     \
  do {                                                      \
    auto reply_ = (response);                               \
    ASSERT_TRUE(reply_) << "no response";                   \
    EXPECT_EQ(reply_->status, status_code) << reply_->body; \
    EXPECT_EQ(reply_->body, exact_body);                    \
  } while (0)

/** Status and a full-body regex (key order included). */
#define EXPECT_REPLY_MATCHES(response, status_code, pattern)                                 \
  do {                                                                                       \
    auto reply_ = (response);                                                                \
    ASSERT_TRUE(reply_) << "no response";                                                    \
    EXPECT_EQ(reply_->status, status_code) << reply_->body;                                  \
    EXPECT_TRUE(std::regex_match(reply_->body, std::regex(pattern))) << reply_->body << "\n" \
                                                                     << "!~ " << (pattern);  \
  } while (0)

/** PostgreSQL timestamptz::text, e.g. 2026-02-17 02:50:31.123456+00. */
inline const std::string ts = R"re(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?)re";
inline const std::string uuid_re = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

inline std::string pgerr_uuid(const std::string& value) {
  return "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type uuid: \"" + value + "\"\"}";
}

}  // namespace meshwatch::twin_test

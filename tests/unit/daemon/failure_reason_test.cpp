#include <gtest/gtest.h>

#include <set>
#include <string>

#include "probes/failure_reason.hpp"

namespace meshwatch {
namespace {

TEST(failure_reason, names_are_unique_and_round_trip) {
  std::set<std::string> seen;
  for (auto reason : all_failure_reasons) {
    auto name = std::string(to_string(reason));
    EXPECT_TRUE(seen.insert(name).second) << name;
    EXPECT_EQ(parse_failure_reason(name), reason);
  }
  EXPECT_EQ(seen.size(), all_failure_reasons.size());
  EXPECT_FALSE(parse_failure_reason("Timeout"));
  EXPECT_FALSE(parse_failure_reason(""));
}

}  // namespace
}  // namespace meshwatch

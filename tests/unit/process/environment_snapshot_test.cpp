#include "daemon/process/environment_snapshot.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace meshwatch {
namespace {

using namespace std::string_literals;

TEST(environment_snapshot, keeps_only_mesher_variables) {
  auto block = "PATH=/bin\0MESHER_HTTP_PORT=8080\0HOME=/root\0MESHER_WS_PORT=8081\0"s;
  auto vars = parse_mesher_environ(block);
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0], (std::pair<std::string, std::string>{"MESHER_HTTP_PORT", "8080"}));
  EXPECT_EQ(vars[1], (std::pair<std::string, std::string>{"MESHER_WS_PORT", "8081"}));
}

TEST(environment_snapshot, masks_secrets) {
  auto block = "MESHER_COOKIE=s3cret\0MESHER_DB=postgres://mesh:pw@localhost:5432/mesher\0"s;
  auto vars = parse_mesher_environ(block);
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0].second, "***");
  EXPECT_EQ(vars[1].second, "postgres://mesh:***@localhost:5432/mesher");
}

TEST(environment_snapshot, bounds_values_and_count) {
  snapshot_limits limits;
  limits.max_env_vars = 3;
  limits.max_env_value_bytes = 8;
  std::string block;
  for (int i = 0; i < 10; ++i) {
    block += "MESHER_V" + std::to_string(i) + "=" + std::string(100, 'x') + '\0';
  }
  auto vars = parse_mesher_environ(block, limits);
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[0].second, "xxxxxxxx…");
}

TEST(environment_snapshot, tolerates_unterminated_and_odd_entries) {
  auto vars = parse_mesher_environ("MESHER_A\0=x\0MESHER_B=1"s);
  ASSERT_EQ(vars.size(), 1u);
  EXPECT_EQ(vars[0].first, "MESHER_B");
}

TEST(environment_snapshot, url_masking) {
  EXPECT_EQ(mask_url_password("postgres://u:p@h/db"), "postgres://u:***@h/db");
  EXPECT_EQ(mask_url_password("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(mask_url_password("postgres://h:5432/db"), "postgres://h:5432/db");
  EXPECT_EQ(mask_url_password("8080"), "8080");
}

TEST(environment_snapshot, soft_limits) {
  const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max core file size        0                    unlimited            bytes     \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(parse_soft_limit(limits, "Max open files"), 1024);
  EXPECT_EQ(parse_soft_limit(limits, "Max core file size"), 0);
  EXPECT_EQ(parse_soft_limit("Max core file size        unlimited  unlimited bytes\n", "Max core file size"),
            -1);
  EXPECT_EQ(parse_soft_limit("", "Max open files"), -1);
}

TEST(environment_snapshot, of_this_process) {
  auto snap = take_environment_snapshot(getpid());
  EXPECT_EQ(snap.pid, getpid());
  EXPECT_EQ(snap.binary_path, std::filesystem::read_symlink("/proc/self/exe").string());
  EXPECT_FALSE(snap.binary_deleted);
  EXPECT_GT(snap.binary_size, 0);
  EXPECT_EQ(snap.binary_hash.size(), 16u);
  EXPECT_GT(snap.binary_hashed_bytes, 0);
  EXPECT_GE(snap.online_cpus, 1);
  EXPECT_GE(snap.affinity_cpus, 1);
  EXPECT_GT(snap.max_open_files, 0);
  EXPECT_TRUE(snap.environ_readable);
  EXPECT_GT(snap.start_time_seconds, 1.6e9);
  EXPECT_FALSE(describe(snap).empty());
  // Same binary, same hash.
  EXPECT_EQ(take_environment_snapshot(getpid()).binary_hash, snap.binary_hash);
}

}  // namespace
}  // namespace meshwatch

#include <gtest/gtest.h>

#include "config/secret_file.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

namespace meshwatch {
namespace {

TEST(read_secret_file, trims_trailing_newlines_only) {
  const test::temp_dir dir;
  EXPECT_EQ(read_secret_file(dir.write("a", "pw\n")).value->reveal(), "pw");
  EXPECT_EQ(read_secret_file(dir.write("b", "pw\r\n\n")).value->reveal(), "pw");
  EXPECT_EQ(read_secret_file(dir.write("c", " pw with spaces ")).value->reveal(), " pw with spaces ");
  EXPECT_EQ(read_secret_file(dir.write("d", "line1\nline2\n")).value->reveal(), "line1\nline2");
}

TEST(read_secret_file, rejects_missing_empty_directories_and_oversized_files) {
  const test::temp_dir dir;
  const std::string missing = (dir.path() / "missing").string();
  EXPECT_EQ(read_secret_file(missing).error, "cannot read '" + missing + "': No such file or directory");
  const std::string empty = dir.write("empty", "\n");
  EXPECT_EQ(read_secret_file(empty).error, "'" + empty + "' is empty");
  EXPECT_EQ(read_secret_file(dir.path().string()).error,
            "cannot read '" + dir.path().string() + "': it is a directory");
  const std::string at_cap = dir.write("at-cap", std::string(max_secret_file_bytes, 'x'));
  EXPECT_TRUE(read_secret_file(at_cap));
  const std::string over = dir.write("over", std::string(max_secret_file_bytes + 1, 'x'));
  EXPECT_EQ(read_secret_file(over).error, "'" + over + "' is larger than 4096 bytes");
}

TEST(resolve_secret_path, prefers_credentials_directory_for_relative_paths) {
  const env_lookup with_credentials =
      test::fake_env({{"CREDENTIALS_DIRECTORY", "/run/credentials/meshwatch.service"}});
  const env_lookup without = test::fake_env();
  EXPECT_EQ(resolve_secret_path("pg", "/etc/meshwatch", with_credentials),
            "/run/credentials/meshwatch.service/pg");
  EXPECT_EQ(resolve_secret_path("pg", "/etc/meshwatch", without), "/etc/meshwatch/pg");
  EXPECT_EQ(resolve_secret_path("/abs/pg", "/etc/meshwatch", with_credentials), "/abs/pg");
}

constexpr const char* config_with_password_file =
    "targets:\n"
    "  - name: mesher\n"
    "    http: http://127.0.0.1:8080\n"
    "    database:\n"
    "      dsn: postgres://mesh@127.0.0.1:5432/mesher\n"
    "      password_file: pg-password\n";

TEST(load_config, reads_password_file_next_to_the_config) {
  const test::temp_dir dir;
  dir.write("pg-password", "hunter2\n");
  const std::string config_path = dir.write("meshwatch.yaml", config_with_password_file);
  const load_result r = load_config_file(config_path, test::options_with());
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(test::error_lines(r));
  const database_config& db = *r.value->targets[0].database;
  ASSERT_TRUE(db.password.has_value());
  EXPECT_EQ(db.password->reveal(), "hunter2");
  EXPECT_EQ(db.password_file, (dir.path() / "pg-password").string());
}

TEST(load_config, reads_password_file_from_credentials_directory) {
  const test::temp_dir config_dir;
  const test::temp_dir credentials;
  config_dir.write("pg-password", "wrong\n");
  credentials.write("pg-password", "from-systemd");
  const std::string config_path = config_dir.write("meshwatch.yaml", config_with_password_file);
  const load_result r = load_config_file(
      config_path, test::options_with({{"CREDENTIALS_DIRECTORY", credentials.path().string()}}));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(test::error_lines(r));
  EXPECT_EQ(r.value->targets[0].database->password->reveal(), "from-systemd");
}

TEST(load_config, a_missing_password_file_is_an_error_at_its_line) {
  const test::temp_dir dir;
  const std::string config_path = dir.write("meshwatch.yaml", config_with_password_file);
  const load_result r = load_config_file(config_path, test::options_with());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(test::error_lines(r),
            std::vector<std::string>{config_path + ":6:22: targets[0].database.password_file: cannot read '" +
                                     (dir.path() / "pg-password").string() + "': No such file or directory"});
}

TEST(load_config, an_oversized_password_file_is_an_error) {
  const test::temp_dir dir;
  const std::string secret_path = dir.write("pg-password", std::string(5000, 'x'));
  const std::string config_path = dir.write("meshwatch.yaml", config_with_password_file);
  const load_result r = load_config_file(config_path, test::options_with());
  EXPECT_EQ(test::error_lines(r),
            std::vector<std::string>{config_path + ":6:22: targets[0].database.password_file: '" +
                                     secret_path + "' is larger than 4096 bytes"});
}

}  // namespace
}  // namespace meshwatch

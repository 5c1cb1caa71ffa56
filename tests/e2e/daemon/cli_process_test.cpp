// The one-shot commands of the built binary: exit codes and what they print.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/subprocess.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

struct finished {
  exit_status status;
  std::vector<std::string> out;
  std::vector<std::string> err;
};

finished run_meshwatch(std::vector<std::string> args) {
  args.insert(args.begin(), binary_path("meshwatch"));
  subprocess p(args);
  auto status = p.wait_exit(20s);
  EXPECT_TRUE(status) << "meshwatch did not exit";
  return {status.value_or(exit_status{true, 0, 9}), p.lines(stream::out), p.lines(stream::err)};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return all;
}

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("meshwatch-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(cli_process, version_prints_version_and_revision) {
  auto r = run_meshwatch({"version"});
  EXPECT_EQ(r.status.code, 0);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_TRUE(r.out[0].starts_with("meshwatch 0.")) << r.out[0];
  EXPECT_NE(r.out[0].find("revision"), std::string::npos);
}

TEST(cli_process, default_config_round_trips_through_check_config) {
  auto printed = run_meshwatch({"print-default-config"});
  ASSERT_EQ(printed.status.code, 0);
  ASSERT_FALSE(printed.out.empty());
  auto path = temp_path("default.yaml");
  std::ofstream(path) << joined(printed.out);
  auto checked = run_meshwatch({"check-config", path});
  EXPECT_EQ(checked.status.code, 0) << joined(checked.err);
  ASSERT_EQ(checked.out.size(), 1u);
  EXPECT_TRUE(checked.out[0].starts_with(path + ": ok")) << checked.out[0];
}

TEST(cli_process, check_config_lists_every_error_with_line_and_column) {
  auto path = temp_path("broken.yaml");
  std::ofstream(path) << "admin:\n"
                         "  listen: 127.0.0.1:9847\n"
                         "defaults:\n"
                         "  intervall: 15s\n"
                         "  timeout: 5 seconds\n"
                         "targets:\n"
                         "  - name: mesher\n"
                         "    http: ftp://127.0.0.1:8080\n"
                         "    ws: ws://127.0.0.1:8081\n";
  auto r = run_meshwatch({"check-config", path});
  EXPECT_EQ(r.status.code, 2);
  auto err = joined(r.err);
  EXPECT_NE(err.find(path + ":4:3: "), std::string::npos) << err;   // intervall
  EXPECT_NE(err.find(path + ":5:12: "), std::string::npos) << err;  // "5 seconds"
  EXPECT_NE(err.find(path + ":8:11: "), std::string::npos) << err;  // ftp://
  EXPECT_NE(err.find(path + ": 3 error(s)"), std::string::npos) << err;
}

TEST(cli_process, check_config_of_a_missing_file_is_an_error) {
  auto r = run_meshwatch({"check-config", "/nonexistent/meshwatch.yaml"});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(joined(r.err).find("/nonexistent/meshwatch.yaml"), std::string::npos);
}

TEST(cli_process, run_refuses_an_invalid_config) {
  auto path = temp_path("invalid.yaml");
  std::ofstream(path) << "admin: [1, 2]\n";
  auto r = run_meshwatch({"run", "--config", path});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(joined(r.err).find(path + ":1:8: "), std::string::npos) << joined(r.err);
}

TEST(cli_process, status_without_a_daemon_exits_2_with_the_reason) {
  // Nothing listens on port 1 of loopback.
  auto r = run_meshwatch({"status", "--admin", "http://127.0.0.1:1"});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(joined(r.err).find("http://127.0.0.1:1"), std::string::npos) << joined(r.err);
  EXPECT_TRUE(r.out.empty()) << "no fake output";
}

TEST(cli_process, verify_with_no_matching_probe_exits_2) {
  auto r = run_meshwatch({"verify", "--only", "no_such_probe_*"});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(joined(r.err).find("no probe matches"), std::string::npos) << joined(r.err);
}

TEST(cli_process, verify_against_nothing_reports_failures_and_exits_1) {
  // A target where nothing listens: every selected probe fails with connect_refused.
  auto path = temp_path("nothing.yaml");
  std::ofstream(path)
      << "targets:\n"
         "  - name: gone\n"
         "    http: http://127.0.0.1:1\n"
         "    ws: ws://127.0.0.1:1\n"
         "probes:\n"
         "  - name: fast_path\n"
         "    http: { method: GET, path: /__meshwatch }\n"
         "    expect: { status: 404, body_prefix: Not Found }\n"
         "  - name: ws_stream\n"
         "    ws: { path: /stream/projects/x, send: '{}', expect_reply: { /type: \"filters_updated\" } }\n";
  for (const char* format : {"table", "json", "junit"}) {
    auto r = run_meshwatch({"verify", "--config", path, "--format", format});
    EXPECT_EQ(r.status.code, 1) << format << joined(r.err);
    auto out = joined(r.out);
    EXPECT_NE(out.find("connect_refused"), std::string::npos) << format << ": " << out;
    EXPECT_NE(out.find("fast_path"), std::string::npos) << format;
    EXPECT_NE(out.find("ws_stream"), std::string::npos) << format;
  }
}

TEST(cli_process, usage_errors_exit_2_with_usage) {
  auto r = run_meshwatch({"frobnicate"});
  EXPECT_EQ(r.status.code, 2);
  auto err = joined(r.err);
  EXPECT_NE(err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(err.find("Usage:"), std::string::npos);
}

TEST(cli_process, help_exits_0) {
  auto r = run_meshwatch({"--help"});
  EXPECT_EQ(r.status.code, 0);
  EXPECT_NE(joined(r.out).find("meshwatch check-config FILE"), std::string::npos);
}

}  // namespace
}  // namespace meshwatch::test

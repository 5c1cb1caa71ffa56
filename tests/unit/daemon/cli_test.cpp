#include <gtest/gtest.h>

#include "daemon/cli.hpp"

namespace meshwatch {
namespace {

cli_options parse_ok(std::vector<std::string> args) {
  auto result = parse_cli(args);
  EXPECT_TRUE(result.options) << result.error;
  return result.options.value_or(cli_options{});
}

std::string parse_error(std::vector<std::string> args) {
  auto result = parse_cli(args);
  EXPECT_FALSE(result.options);
  return result.error;
}

TEST(cli, run_without_config_uses_embedded_default) {
  auto o = parse_ok({"run"});
  EXPECT_EQ(o.command, command_kind::run);
  EXPECT_FALSE(o.config_path);
  EXPECT_EQ(o.log_level, "info");
}

TEST(cli, run_with_config_in_both_spellings) {
  EXPECT_EQ(parse_ok({"run", "--config", "/etc/m.yaml"}).config_path, "/etc/m.yaml");
  EXPECT_EQ(parse_ok({"run", "--config=/etc/m.yaml"}).config_path, "/etc/m.yaml");
}

TEST(cli, verify_options) {
  auto o = parse_ok({"verify", "--format", "junit", "--only", "dashboard_*", "--only=ws_*"});
  EXPECT_EQ(o.command, command_kind::verify);
  EXPECT_EQ(o.format, "junit");
  EXPECT_EQ(o.only, (std::vector<std::string>{"dashboard_*", "ws_*"}));
}

TEST(cli, check_config_takes_exactly_one_file) {
  EXPECT_EQ(parse_ok({"check-config", "a.yaml"}).config_path, "a.yaml");
  EXPECT_EQ(parse_error({"check-config"}), "check-config needs exactly one FILE");
  EXPECT_EQ(parse_error({"check-config", "a", "b"}), "check-config needs exactly one FILE");
}

TEST(cli, other_commands) {
  EXPECT_EQ(parse_ok({"print-default-config"}).command, command_kind::print_default_config);
  EXPECT_EQ(parse_ok({"version"}).command, command_kind::version);
  EXPECT_EQ(parse_ok({"--version"}).command, command_kind::version);
  EXPECT_EQ(parse_ok({"--help"}).command, command_kind::help);
  EXPECT_EQ(parse_ok({"run", "-h"}).command, command_kind::help);
  auto status = parse_ok({"status", "--admin", "http://127.0.0.1:1234"});
  EXPECT_EQ(status.command, command_kind::status);
  EXPECT_EQ(status.admin_url, "http://127.0.0.1:1234");
}

TEST(cli, usage_errors_are_specific) {
  EXPECT_EQ(parse_error({}), "missing command");
  EXPECT_EQ(parse_error({"serve"}), "unknown command 'serve'");
  EXPECT_EQ(parse_error({"run", "--frobnicate"}), "unknown option '--frobnicate' for 'run'");
  EXPECT_EQ(parse_error({"run", "--config"}), "--config needs a file");
  EXPECT_EQ(parse_error({"verify", "--format", "xml"}), "--format needs one of table, json, junit");
  EXPECT_EQ(parse_error({"run", "--log-level", "loud"}),
            "--log-level needs one of trace, debug, info, warn, error, critical, off");
  EXPECT_EQ(parse_error({"version", "extra"}), "unexpected argument 'extra' for 'version'");
  // Options are per command: --format means nothing to run.
  EXPECT_EQ(parse_error({"run", "--format", "json"}), "unknown option '--format' for 'run'");
}

TEST(cli, usage_text_names_every_command) {
  auto text = usage_text();
  for (const char* c : {"run", "verify", "check-config", "print-default-config", "status", "version"}) {
    EXPECT_NE(text.find(std::string("meshwatch ") + c), std::string::npos) << c;
  }
}

}  // namespace
}  // namespace meshwatch

#pragma once
// The command line of DESIGN.md §2, parsed into a plain value. Parsing is pure (no I/O) so
// every usage error is unit-tested; running a command lives in commands.hpp.
#include <optional>
#include <string>
#include <vector>

namespace meshwatch {

enum class command_kind { run, verify, check_config, print_default_config, status, version, help };

struct cli_options {
  command_kind command = command_kind::help;
  std::optional<std::string> config_path;  // run, verify; the positional FILE of check-config
  std::string log_level = "info";
  std::string format = "table";                     // verify: table | json | junit
  std::vector<std::string> only;                    // verify: --only GLOB (repeatable)
  std::string admin_url = "http://127.0.0.1:9847";  // status
};

struct cli_parse_result {
  std::optional<cli_options> options;
  std::string error;  // set when options is empty: a one-line usage error
};

cli_parse_result parse_cli(const std::vector<std::string>& args);

/** The text of `meshwatch --help`. */
std::string usage_text();

}  // namespace meshwatch

#include "daemon/cli.hpp"

#include <array>
#include <string_view>

namespace meshwatch {
namespace {

struct command_name {
  std::string_view name;
  command_kind kind;
};

constexpr std::array command_names{
    command_name{"run", command_kind::run},
    command_name{"verify", command_kind::verify},
    command_name{"check-config", command_kind::check_config},
    command_name{"print-default-config", command_kind::print_default_config},
    command_name{"status", command_kind::status},
    command_name{"version", command_kind::version},
    command_name{"help", command_kind::help},
};

constexpr std::array log_levels{"trace", "debug", "info", "warn", "error", "critical", "off"};

bool is_one_of(std::string_view value, const auto& allowed) {
  for (std::string_view a : allowed) {
    if (value == a) {
      return true;
    }
  }
  return false;
}

cli_parse_result fail(std::string message) { return {std::nullopt, std::move(message)}; }

}  // namespace

cli_parse_result parse_cli(const std::vector<std::string>& args) {
  cli_options options;
  if (args.empty()) {
    return fail("missing command");
  }
  std::string_view first = args[0];
  if (first == "--help" || first == "-h") {
    return {options, {}};
  }
  if (first == "--version") {
    options.command = command_kind::version;
    return {options, {}};
  }
  bool known = false;
  for (const auto& c : command_names) {
    if (c.name == first) {
      options.command = c.kind;
      known = true;
    }
  }
  if (!known) {
    return fail("unknown command '" + args[0] + "'");
  }

  const auto command = options.command;
  std::vector<std::string> positionals;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    // Accept both `--flag value` and `--flag=value`.
    std::string flag(arg);
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      flag = std::string(arg.substr(0, eq));
      inline_value = std::string(arg.substr(eq + 1));
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) {
        return inline_value;
      }
      if (i + 1 < args.size()) {
        return args[++i];
      }
      return std::nullopt;
    };

    if (flag == "--help" || flag == "-h") {
      options.command = command_kind::help;
      return {options, {}};
    }
    if (flag == "--config" && (command == command_kind::run || command == command_kind::verify)) {
      auto v = value();
      if (!v || v->empty()) return fail("--config needs a file");
      options.config_path = *v;
    } else if (flag == "--log-level" && (command == command_kind::run || command == command_kind::verify)) {
      auto v = value();
      if (!v || !is_one_of(*v, log_levels)) {
        return fail("--log-level needs one of trace, debug, info, warn, error, critical, off");
      }
      options.log_level = *v;
    } else if (flag == "--format" && command == command_kind::verify) {
      auto v = value();
      if (!v || !is_one_of(*v, std::array{"table", "json", "junit"})) {
        return fail("--format needs one of table, json, junit");
      }
      options.format = *v;
    } else if (flag == "--only" && command == command_kind::verify) {
      auto v = value();
      if (!v || v->empty()) return fail("--only needs a glob");
      options.only.push_back(*v);
    } else if (flag == "--admin" && command == command_kind::status) {
      auto v = value();
      if (!v || v->empty()) return fail("--admin needs a URL");
      options.admin_url = *v;
    } else if (arg.starts_with("-")) {
      return fail("unknown option '" + std::string(arg) + "' for '" + args[0] + "'");
    } else {
      positionals.emplace_back(arg);
    }
  }

  if (command == command_kind::check_config) {
    if (positionals.size() != 1) {
      return fail("check-config needs exactly one FILE");
    }
    options.config_path = positionals[0];
  } else if (!positionals.empty()) {
    return fail("unexpected argument '" + positionals[0] + "' for '" + args[0] + "'");
  }
  return {options, {}};
}

std::string usage_text() {
  return R"(meshwatch - a stability monitor for the Mesher error-monitoring server

Usage:
  meshwatch run [--config FILE] [--log-level LEVEL]
      Run the daemon. Without --config the embedded default config is used.
  meshwatch verify [--config FILE] [--format table|json|junit] [--only GLOB]...
      Run every probe once and print a report; exit 0 all pass, 1 any fail, 2 error.
  meshwatch check-config FILE
      Validate FILE strictly; print every error as file:line:column; exit 0 valid, 2 invalid.
  meshwatch print-default-config
      Print the embedded default config (a starting point for /etc/meshwatch/meshwatch.yaml).
  meshwatch status [--admin URL]
      Print a running daemon's /status as a table (default http://127.0.0.1:9847).
  meshwatch version
      Print the version and git revision.

Signals (run): SIGTERM/SIGINT stop gracefully. SIGHUP (config reload) is not built yet:
it is logged and ignored.
)";
}

}  // namespace meshwatch

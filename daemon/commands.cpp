#include "daemon/commands.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "config/default_config.hpp"
#include "config/loader.hpp"
#include "daemon/build_info.hpp"
#include "daemon/daemon.hpp"
#include "daemon/status_command.hpp"
#include "daemon/verify_command.hpp"

namespace meshwatch {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_usage = 2;  // usage or config error, and commands not built yet

load_result load(const std::optional<std::string>& path) {
  if (path) {
    return load_config_file(*path);
  }
  return load_config_text(default_config_text(), default_config_name);
}

void print_errors(const load_result& result) {
  for (const auto& error : result.errors) {
    std::cerr << error.to_string() << '\n';
  }
}

int run(const cli_options& options) {
  auto loaded = load(options.config_path);
  if (!loaded.value) {
    print_errors(loaded);
    spdlog::critical("invalid config: {} error(s); not starting", loaded.errors.size());
    return exit_usage;
  }
  auto path = options.config_path;
  return run_daemon(*loaded.value, [path] { return load(path); });
}

int check_config(const cli_options& options) {
  auto loaded = load(options.config_path);
  if (!loaded.value) {
    print_errors(loaded);
    std::cerr << *options.config_path << ": " << loaded.errors.size() << " error(s)\n";
    return exit_usage;
  }
  std::cout << *options.config_path << ": ok (" << loaded.value->targets.size() << " target(s), "
            << loaded.value->probes.size() << " probe(s))\n";
  return exit_ok;
}

int verify(const cli_options& options) {
  auto loaded = load(options.config_path);
  if (!loaded.value) {
    print_errors(loaded);
    return exit_usage;
  }
  verify_options chosen;
  chosen.only = options.only;
  chosen.format = options.format == "json"    ? report_format::json
                  : options.format == "junit" ? report_format::junit
                                              : report_format::table;
  return run_verify(*loaded.value, chosen);
}

}  // namespace

int execute_command(const cli_options& options) {
  switch (options.command) {
    case command_kind::run: return run(options);
    case command_kind::check_config: return check_config(options);
    case command_kind::print_default_config: std::cout << default_config_text(); return exit_ok;
    case command_kind::version:
      std::cout << "meshwatch " << build_version() << " (revision " << build_revision() << ")\n";
      return exit_ok;
    case command_kind::verify: return verify(options);
    case command_kind::status: return run_status(options.admin_url);
    case command_kind::help: std::cout << usage_text(); return exit_ok;
  }
  return exit_usage;
}

}  // namespace meshwatch

// meshwatch: wiring only. Every line of logic lives in meshwatch_daemon, which tests link.
#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli.hpp"
#include "daemon/commands.hpp"
#include "daemon/logging.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = meshwatch::parse_cli(args);
  if (!parsed.options) {
    std::cerr << "meshwatch: " << parsed.error << "\n\n" << meshwatch::usage_text();
    return 2;
  }
  meshwatch::setup_logging(parsed.options->log_level);
  return meshwatch::execute_command(*parsed.options);
}

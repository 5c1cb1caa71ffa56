#pragma once
#include "daemon/cli.hpp"

namespace meshwatch {

/** Runs the parsed command; returns the process exit code (DESIGN.md §2). */
int execute_command(const cli_options& options);

}  // namespace meshwatch

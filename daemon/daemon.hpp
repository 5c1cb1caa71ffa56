#pragma once
// `meshwatch run`: the long-running daemon on one io_context thread.
#include "config/config.hpp"

namespace meshwatch {

/** Runs until SIGTERM/SIGINT; returns the process exit code. */
int run_daemon(const config& cfg);

}  // namespace meshwatch

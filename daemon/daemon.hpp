#pragma once
// `meshwatch run`: the long-running daemon on one io_context thread.
#include <functional>

#include "config/config.hpp"
#include "config/loader.hpp"

namespace meshwatch {

/**
 * Runs until SIGTERM/SIGINT; returns the process exit code. On SIGHUP `reload` is called to
 * load the config again (from the same file) and the result is applied if the daemon can.
 */
int run_daemon(const config& cfg, std::function<load_result()> reload);

}  // namespace meshwatch

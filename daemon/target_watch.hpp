#pragma once
// One target as the supervisor holds it: its watchers and the little state /status shows that
// the watchers do not keep themselves. Internal to target_supervisor.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/target_config.hpp"
#include "daemon/console/console_watcher.hpp"
#include "daemon/process/process_watcher.hpp"

namespace meshwatch {

struct target_watch {
  std::string name;
  std::optional<process_config> process_cfg;
  std::optional<console_config> console_cfg;
  // The console watcher is declared first so it is destroyed last: the process watcher hands
  // it the exec child's pipes until the very end.
  std::unique_ptr<console_watcher> console;
  std::unique_ptr<process_watcher> process;

  std::uint64_t restarts = 0;
  std::optional<exit_report> last_exit;
  /** Wall time of the latest listening line, replayed when the process is found after it. */
  std::optional<std::chrono::system_clock::time_point> listening_line_wall;
  std::string console_error;  // a console source that could not be opened
};

struct stream_status;

/**
 * The `targets` array of /status; each target's `stream` is its entry in `streams` (matched by
 * name; null when it has none), its `database` its entry in `pg_ssl` (null when it has none).
 */
std::string render_targets_status(const std::vector<std::unique_ptr<target_watch>>& targets,
                                  const std::vector<stream_status>& streams,
                                  const std::map<std::string, std::string>& pg_ssl = {});

}  // namespace meshwatch

#pragma once
// Resolves a process selector (pidfile, systemd unit, comm/cmdline regex) to the identity of
// a running process. Every read and scan is bounded. `exec` is not located: the watcher
// spawns that process itself (child_process).
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/target_config.hpp"
#include "daemon/process/process_identity.hpp"

namespace meshwatch {

inline constexpr std::size_t max_pidfile_bytes = 128;
inline constexpr std::size_t max_cgroup_pids = 4096;
inline constexpr std::size_t max_scanned_processes = 32768;
inline constexpr std::size_t max_cmdline_bytes = 4096;

/**
 * The PID in a pidfile's text: decimal digits, optional surrounding whitespace (the usual
 * trailing newline). Rejects empty, signed, zero, non-numeric, multi-token and over-long
 * text and PIDs above the kernel's PID_MAX_LIMIT. On failure `error` (if given) says why.
 */
std::optional<pid_t> parse_pidfile(std::string_view text, std::string* error = nullptr);

/** The PIDs in a cgroup.procs file (one per line); malformed lines skipped; bounded. */
std::vector<pid_t> parse_cgroup_procs(std::string_view text, std::size_t max_pids = max_cgroup_pids);

/**
 * Where a systemd unit's cgroup.procs may live under `cgroup_root`, most likely first:
 * cgroup v2 (`<root>/system.slice/<unit>`), hybrid (`<root>/unified/…`), v1 (`<root>/systemd/…`).
 * A unit without a suffix gets `.service`; a unit containing '/' is a path below the slice root.
 */
std::vector<std::string> cgroup_procs_candidates(std::string_view unit, std::string_view cgroup_root);

/**
 * A pidfile that was not rewritten since the process it named exited must not be trusted:
 * the PID may now belong to anything. This stamp says whether the file changed.
 */
struct file_stamp {
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t size = 0;
  bool operator==(const file_stamp&) const = default;
};

struct locator_options {
  std::string proc_root = "/proc";
  std::string cgroup_root = "/sys/fs/cgroup";
  std::size_t max_scan = max_scanned_processes;
  /** Excluded from `match` (meshwatch itself: its own command line may contain the pattern). */
  pid_t self_pid = 0;  // 0: getpid()
};

class process_locator {
 public:
  /** Throws std::invalid_argument for `exec` or an invalid regex (config errors). */
  explicit process_locator(process_selector selector, locator_options options = {});
  ~process_locator();
  process_locator(const process_locator&) = delete;
  process_locator& operator=(const process_locator&) = delete;

  /** The process the selector names right now; nullopt (see last_error) if none. */
  std::optional<process_identity> locate();
  /** Why the last locate() found nothing; for a throttled log line. */
  const std::string& last_error() const { return last_error_; }

  /** The located process has exited: distrust a pidfile until it is rewritten. */
  void on_exited(const process_identity& exited);

  /** A short description for logs: "pidfile /run/mesher.pid" etc. */
  std::string describe() const;

 private:
  std::optional<process_identity> locate_pidfile(const process_pidfile& s);
  std::optional<process_identity> locate_unit(const process_systemd_unit& s);
  std::optional<process_identity> locate_match();

  process_selector selector_;
  locator_options options_;
  struct matcher;
  std::unique_ptr<matcher> matcher_;
  std::optional<file_stamp> last_pidfile_stamp_;
  std::optional<file_stamp> distrusted_stamp_;
  std::string last_error_;
};

}  // namespace meshwatch

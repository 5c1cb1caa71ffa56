#pragma once
// What the process started with (FAILURES.md D13), taken at every (re)start: stale binaries
// (F-06/F-09), CPU count (F-04: one worker per core), fd limit (F-34), core limit, and the
// MESHER_* environment. Everything read is bounded; secrets in values are masked.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshwatch {

struct environment_snapshot {
  pid_t pid = 0;
  double start_time_seconds = 0;  // Unix time

  std::string binary_path;      // /proc/<pid>/exe target; "" if not readable
  bool binary_deleted = false;  // replaced on disk since start: a stale binary is running
  std::int64_t binary_size = -1;
  double binary_mtime_seconds = 0;
  /** FNV-1a 64 (hex) of the binary, or of its head and tail when large: change detection, not security. */
  std::string binary_hash;
  std::int64_t binary_hashed_bytes = 0;
  bool binary_hash_complete = false;

  int online_cpus = 0;     // sysconf(_SC_NPROCESSORS_ONLN)
  int affinity_cpus = -1;  // CPUs in the process's affinity mask; -1 if unknown
  std::string cpu_quota;   // cgroup v2 cpu.max ("max 100000", "50000 100000"); "" if none

  std::int64_t max_open_files = -1;  // soft RLIMIT_NOFILE; -1 unlimited/unknown
  std::int64_t max_core_bytes = -1;  // soft RLIMIT_CORE; -1 unlimited/unknown, 0 = no cores

  std::vector<std::pair<std::string, std::string>> mesher_env;  // MESHER_* only, bounded
  bool environ_readable = false;

  /**
   * getaddrinfo("localhost") in order, e.g. "::1,127.0.0.1" (F-32); filled in after the
   * snapshot by a lookup off the loop: "" until then, "(timeout)"/"(error: …)" if it failed.
   */
  std::string localhost_order;
};

struct snapshot_limits {
  std::size_t max_hash_bytes = 4 * 1024 * 1024;  // read on the loop: keep it to milliseconds
  std::size_t max_environ_bytes = 256 * 1024;
  std::size_t max_env_vars = 64;
  std::size_t max_env_value_bytes = 256;
};

environment_snapshot take_environment_snapshot(pid_t pid, const snapshot_limits& limits = {});

/** MESHER_* entries of a NUL-separated environ block, masked and bounded. */
std::vector<std::pair<std::string, std::string>> parse_mesher_environ(std::string_view environ_block,
                                                                      const snapshot_limits& limits = {});

/** Masks a password in a URL (`scheme://user:secret@host` → `scheme://user:***@host`). */
std::string mask_url_password(std::string_view value);

/** A soft limit's value from /proc/<pid>/limits text by row name; -1 for unlimited/absent. */
std::int64_t parse_soft_limit(std::string_view limits_text, std::string_view row);

/** One-line summary for logs. */
std::string describe(const environment_snapshot& snapshot);

}  // namespace meshwatch

#pragma once
// Reads one process's resource figures from /proc. Used for meshwatch's own process_*
// metrics and (later) for the watched Mesher process.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace meshwatch {

struct proc_sample {
  double cpu_seconds = 0;  // user + system
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  std::int64_t threads = 0;
  std::int64_t open_fds = -1;     // -1: /proc/<pid>/fd not readable (another user's process)
  std::int64_t max_fds = -1;      // soft RLIMIT_NOFILE; -1 when unknown or unlimited
  double start_time_seconds = 0;  // Unix time
};

/**
 * nullopt when the process does not exist (or its stat cannot be parsed). With `socket_inodes`,
 * the fd walk also collects the inodes of the process's sockets (at most `max_socket_inodes`).
 */
std::optional<proc_sample> sample_process(pid_t pid, std::vector<std::uint64_t>* socket_inodes = nullptr,
                                          std::size_t max_socket_inodes = 0);

/** Parses the text of /proc/<pid>/stat; exposed for tests (comm may hold spaces and ')'). */
struct proc_stat_fields {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::int64_t threads = 0;
  std::uint64_t start_ticks = 0;  // since boot
  std::uint64_t vsize = 0;
  std::int64_t rss_pages = 0;
};
std::optional<proc_stat_fields> parse_proc_stat(std::string_view text);

/** "Max open files" soft limit from the text of /proc/<pid>/limits; -1 if unlimited/absent. */
std::int64_t parse_max_open_files(std::string_view limits_text);

}  // namespace meshwatch

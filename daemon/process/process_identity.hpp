#pragma once
// A process is its PID *and* its start time: PIDs are reused, the pair never is (within
// one boot). Every decision about "the same process" compares identities, never PIDs.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace meshwatch {

struct process_identity {
  pid_t pid = 0;
  std::uint64_t start_ticks = 0;  // /proc/<pid>/stat field 22: clock ticks since boot

  bool operator==(const process_identity&) const = default;
};

/** Reads the identity of `pid` from `<proc_root>/<pid>/stat`; nullopt if it is gone. */
std::optional<process_identity> read_process_identity(pid_t pid, const std::string& proc_root = "/proc");

/** True while `id` still names a live process (same PID, same start time). */
bool identity_alive(const process_identity& id, const std::string& proc_root = "/proc");

}  // namespace meshwatch

#pragma once
// The `exec` selector: meshwatch starts Mesher itself, so it gets the exact exit status
// (waitid) and the console pipes directly. Restarting is not this class's job — it spawns
// once and reports; a restart policy, if ever configured, belongs to the watcher.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "daemon/process/exit_classifier.hpp"

namespace meshwatch {

class child_process {
 public:
  /**
   * fork + exec of argv[0] (PATH lookup). With `capture_output` stdout and stderr are pipes
   * whose read ends the caller takes (take_stdout_fd / take_stderr_fd) and must drain
   * continuously (F-38: a full pipe stalls Mesher); otherwise they are inherited. stdin is
   * /dev/null. Signal dispositions and mask are reset in the child (an ignored SIGPIPE would
   * change how Mesher dies, RUNTIME.md §3). The child gets SIGTERM if meshwatch dies.
   * nullopt with `error` set when the program cannot be executed.
   */
  static std::optional<child_process> spawn(const std::vector<std::string>& argv, bool capture_output,
                                            std::string* error = nullptr);

  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  /** A still-running child is terminated (SIGTERM, then SIGKILL after 2 s) and reaped. */
  ~child_process();

  pid_t pid() const { return pid_; }
  /** Read ends of the pipes; -1 when not captured or already taken. The caller owns them. */
  int take_stdout_fd();
  int take_stderr_fd();

  /** Reaps without blocking: the exact status once exited, nullopt while still running. */
  std::optional<exit_status> try_reap();
  bool reaped() const { return reaped_; }

  /** SIGTERM, wait up to `grace`, then SIGKILL; always reaps. Returns the status. */
  exit_status terminate(std::chrono::milliseconds grace = std::chrono::seconds(2));

 private:
  child_process() = default;
  void release();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool reaped_ = false;
};

}  // namespace meshwatch

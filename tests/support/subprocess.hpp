#pragma once
// A child process for tests: argv + extra environment, stdout and stderr captured line by
// line on reader threads, waits that always carry a timeout, and a kill on destruction so
// a failing test never leaves a process behind.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace meshwatch::test {

enum class stream { out, err };

struct exit_status {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // terminating signal when signaled
};

class subprocess {
 public:
  subprocess(std::vector<std::string> argv, std::map<std::string, std::string> extra_env = {});
  ~subprocess();
  subprocess(const subprocess&) = delete;
  subprocess& operator=(const subprocess&) = delete;

  int pid() const { return pid_; }
  void send_signal(int signal_number);

  /**
   * Waits up to `timeout` for the exit; nullopt while it still runs. Once it returns a
   * status, lines() holds everything the child wrote.
   */
  std::optional<exit_status> wait_exit(std::chrono::milliseconds timeout);

  /** Waits until a line on `which` contains `needle`; returns that line. */
  std::optional<std::string> wait_for_line(stream which, const std::string& needle,
                                           std::chrono::milliseconds timeout);
  /** Waits until `matches` accepts a line; returns it. */
  std::optional<std::string> wait_for_line(stream which,
                                           const std::function<bool(const std::string&)>& matches,
                                           std::chrono::milliseconds timeout);
  std::vector<std::string> lines(stream which) const;
  /** Both streams, for failure messages. */
  std::string console() const;

 private:
  void read_loop(int fd, stream which);

  int pid_ = -1;
  std::optional<exit_status> exit_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> out_lines_;
  std::vector<std::string> err_lines_;
  std::thread out_reader_;
  std::thread err_reader_;
};

/** Path of a built binary next to the test executables (CMake passes the build dir). */
std::string binary_path(const std::string& name);

}  // namespace meshwatch::test

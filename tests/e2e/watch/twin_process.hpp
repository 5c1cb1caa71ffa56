#pragma once
// A Mesher twin run by the test itself rather than by meshwatch — as a service manager would run
// Mesher — with its console appended to a file and, when asked, a pidfile written after it
// started. Lets the tests kill and restart Mesher under a `pidfile:`/`match:` watcher.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tests/e2e/watch/watch_test_harness.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {

class twin_process {
 public:
  /**
   * `env`: the twin's environment (watched_twin::environment()); `console_file`: where its
   * stdout and stderr are appended; `ports_file`: a fresh path for this instance's ports.
   */
  twin_process(std::map<std::string, std::string> env, std::filesystem::path console_file,
               std::filesystem::path ports_file);

  /** Spawns the twin and waits for its ports file; false (with `why`) on failure. */
  bool start(std::string& why, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  int pid() const;
  const twin_ports& ports() const { return ports_; }
  int fault(const std::string& name, const std::string& query = "") const;
  void send_signal(int signal_number);
  std::optional<exit_status> wait_exit(std::chrono::milliseconds timeout);

 private:
  std::map<std::string, std::string> env_;
  std::filesystem::path console_file_;
  std::filesystem::path ports_file_;
  twin_ports ports_;
  std::unique_ptr<subprocess> process_;
};

/** Writes `pid` to `path` the way daemons do: a temporary file renamed into place. */
void write_pidfile(const std::filesystem::path& path, int pid);

}  // namespace meshwatch::test

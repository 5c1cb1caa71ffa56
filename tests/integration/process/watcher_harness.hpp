#pragma once
// A process_watcher on a real io_context driven from the test thread: waits run the loop
// until the awaited event arrives or a deadline passes (never a bare sleep).
#include <sys/types.h>

#include <prometheus/registry.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/process/process_watcher.hpp"

namespace meshwatch::test {

class watcher_harness {
 public:
  watcher_harness();
  ~watcher_harness();

  /** Options with test-sized intervals; the caller sets target and selector. */
  static process_watcher_options fast_options(process_selector selector);

  void start(process_watcher_options options);
  process_watcher& watcher() { return *watcher_; }

  /** Runs the loop until `done` holds or `timeout` passes; returns `done()`. */
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  /** The next not-yet-consumed event of `kind` (consumes everything up to it). */
  std::optional<process_event> wait_for(process_event_kind kind, std::chrono::milliseconds timeout);
  /** Runs the loop for `window` and reports whether an event of `kind` arrived (not consumed). */
  bool any_within(process_event_kind kind, std::chrono::milliseconds window);

  const std::vector<process_event>& events() const { return events_; }
  std::string event_summary() const;

  /** A sample's value, or nullopt if the series does not exist. */
  std::optional<double> metric(const std::string& name, const std::map<std::string, std::string>& labels);

  std::string target = "t";

 private:
  boost::asio::io_context io_;
  prometheus::Registry registry_;
  std::unique_ptr<process_watcher> watcher_;
  std::vector<process_event> events_;
  std::size_t cursor_ = 0;
};

/** Waits (polling a file, bounded) until `path` holds a PID; returns it. */
std::optional<pid_t> wait_for_pid_file(const std::string& path, std::chrono::milliseconds timeout);

/** A fresh empty directory for one test, removed by the destructor. */
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

/**
 * Kills a process that is not our child (a daemonized helper) on scope exit, through a
 * pidfd taken now, so a PID reused by then is never hit.
 */
class kill_on_exit {
 public:
  explicit kill_on_exit(pid_t pid);
  ~kill_on_exit();
  kill_on_exit(const kill_on_exit&) = delete;
  kill_on_exit& operator=(const kill_on_exit&) = delete;

 private:
  int pidfd_ = -1;
};

std::string helper_path();

}  // namespace meshwatch::test

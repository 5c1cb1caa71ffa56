#pragma once
// Shared by the console integration tests: a temp dir, running the loop until a condition holds
// (with a deadline, never a sleep), a child with its stdout/stderr handed over as pipe fds, and
// metric lookups.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "daemon/console/console_event.hpp"
#include "daemon/console/console_watcher.hpp"

namespace meshwatch::test {

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/** Options for the target "mesher" with the defaults. */
console_watcher_options mesher_options();

/** Runs `io` until `done()` or the timeout; returns done(). */
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

void append(const std::string& path, const std::string& bytes);
void write_file(const std::string& path, const std::string& bytes);

/** A child process whose stdout and stderr are pipes we read; killed on destruction. */
struct piped_child {
  explicit piped_child(const std::vector<std::string>& argv);
  ~piped_child();
  piped_child(const piped_child&) = delete;
  piped_child& operator=(const piped_child&) = delete;
  /** Reaps the child if it exited; returns true once it has. */
  bool exited();
  int pid = -1;
  int out_fd = -1;  // handed to the code under test, which closes it
  int err_fd = -1;
  int wait_status = 0;
  bool reaped = false;
};

double metric(const prometheus::Registry& r, const std::string& name, const std::string& label = "",
              const std::string& label_value = "");

/** Collects events; counts by kind. */
struct event_log {
  std::vector<console_event> events;
  std::vector<std::chrono::steady_clock::time_point> seen_at;
  void operator()(const console_event& e) {
    events.push_back(e);
    seen_at.push_back(std::chrono::steady_clock::now());
  }
  std::size_t count(console_event_kind k) const;
  bool has_line(const std::string& text) const;
};

}  // namespace meshwatch::test

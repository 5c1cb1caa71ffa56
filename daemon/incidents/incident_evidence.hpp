#pragma once
// The recent past the correlator looks back into when an incident opens: probe starts, probe
// failures, panic blocks waiting for their exit, and console error lines. Each is a ring with a
// fixed capacity (and starts/failures also an age), so memory stays bounded however busy the
// target is.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "daemon/incidents/incident.hpp"

namespace meshwatch {

class incident_evidence {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct limits {
    std::size_t probe_starts = 1024;
    std::size_t probe_failures = 512;
    std::size_t panics = 16;
    std::size_t console_lines = 64;
  };

  struct probe_start {
    std::string probe;
    std::string target;
    std::string route;
    time_point at{};
  };
  struct failure {
    std::string target;
    incident_probe_failure failure;  // offset unset: it is relative to each incident
    time_point at{};                 // the probe's start
  };
  struct panic {
    std::string target;
    incident_panic panic;  // offset unset
    incident_time at{};    // the block's first line
  };
  struct console_line {
    std::string target;
    incident_console_line line;  // offset unset
    time_point at{};
  };

  explicit incident_evidence(limits l) : limits_(l) {}

  void add(probe_start s);
  void add(failure f);
  /** A panic block that has not been given to an incident yet. */
  void add(panic p);
  void add(console_line c);

  /** Probe starts of `target` in [from, to], oldest first. */
  std::vector<probe_start> starts_between(const std::string& target, time_point from, time_point to) const;
  /** Failures of `target` whose probe started at or after `from`, oldest first. */
  std::vector<failure> failures_since(const std::string& target, time_point from) const;
  /** Console lines of `target` in [from, to], oldest first. */
  std::vector<console_line> console_between(const std::string& target, time_point from, time_point to) const;

  struct failing_set {
    std::size_t distinct_probes = 0;
    std::optional<time_point> earliest;
  };
  /** Distinct probes of `target` that failed (outside any start-up grace) since `from`. */
  failing_set failing_since(const std::string& target, time_point from) const;

  /** Removes and returns the waiting panics of `target` that began in [from, to]. */
  std::vector<panic> take_panics(const std::string& target, time_point from, time_point to);
  /** Removes and returns the waiting panics that began at or before `cutoff`. */
  std::vector<panic> take_panics_before(time_point cutoff);
  /** When the oldest waiting panic began. */
  std::optional<time_point> oldest_panic() const;

  /** Drops probe starts and failures older than `cutoff` (console lines go by count only). */
  void prune(time_point cutoff);

  std::size_t probe_starts() const { return starts_.size(); }
  std::size_t probe_failures() const { return failures_.size(); }
  std::size_t panics() const { return panics_.size(); }
  std::size_t console_lines() const { return console_.size(); }

 private:
  limits limits_;
  std::deque<probe_start> starts_;
  std::deque<failure> failures_;
  std::deque<panic> panics_;
  std::deque<console_line> console_;
};

}  // namespace meshwatch

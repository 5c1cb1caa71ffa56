#pragma once
// The recent past the correlator looks back into when an incident opens: probe starts, probe
// failures, panic blocks waiting for their exit, console error lines, and every target's last
// console lines whatever their severity. Each is a ring with a fixed capacity (and starts/failures
// also an age), so memory stays bounded however busy the target is.
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
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
    /**
     * Per target: lines of every severity, for a crash's "last lines". Each is cut to
     * incident_limits::max_line_bytes, so a target's ring holds at most ~60 KB (200 lines).
     */
    std::size_t tail_lines = incident_limits::max_last_lines;
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

  struct tail_line {
    incident_log_line line;  // offset unset
    time_point at{};
  };

  explicit incident_evidence(limits l) : limits_(l) {}

  void add(probe_start s);
  void add(failure f);
  /** A panic block that has not been given to an incident yet. */
  void add(panic p);
  void add(console_line c);
  /**
   * Any console line of `target` (text already bounded). One ring per target: the map grows
   * only with the configured targets whose console is watched.
   */
  void add_tail(const std::string& target, tail_line l);
  /** Removes and returns the last lines of `target`, oldest first: the next process starts afresh. */
  std::vector<tail_line> take_tail(const std::string& target);

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
  /** Lines held in every target's tail ring together. */
  std::size_t tail_lines() const;

 private:
  limits limits_;
  std::deque<probe_start> starts_;
  std::deque<failure> failures_;
  std::deque<panic> panics_;
  std::deque<console_line> console_;
  std::map<std::string, std::deque<tail_line>, std::less<>> tails_;
};

}  // namespace meshwatch

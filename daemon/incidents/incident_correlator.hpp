#pragma once
// Joins process events, console events and probe results into incidents (DESIGN.md §8). Pure:
// no I/O, no threads; time comes from the events and from injected clocks, so tests drive it
// with any sequence. Memory is bounded everywhere: rings of recent probe starts, failures,
// panics and console lines, a cap on open incidents and a short list of closed ones.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/console/console_event.hpp"
#include "daemon/incidents/incident.hpp"
#include "daemon/process/process_event.hpp"
#include "probes/probe_result.hpp"

namespace meshwatch {

struct incident_correlator_options {
  /** A panic block this long before an exit is its cause: one incident, not two. */
  std::chrono::milliseconds panic_window{5000};
  /** A panic block reported up to this long after the exit still joins it (exit seen first). */
  std::chrono::milliseconds late_panic{2000};
  /** An aborting panic with no exit after this long becomes its own `panic` incident. */
  std::chrono::milliseconds panic_exit_grace{5000};
  /** Failing probes and console errors this long before the trigger are attached. */
  std::chrono::milliseconds window_before{10000};
  /** Incidents stay open (collecting failing probes) this long after the trigger. */
  std::chrono::milliseconds window_after{10000};
  /**
   * A `panic` incident stays open until the same panic (kind, location, message) has not been
   * seen for this long; each repeat joins it. Five minutes: a persistent handler panic is hit
   * by periodic probes, and most of the catalogue's HTTP probes run every 15 s to 1 min, so one
   * ongoing fault is seen several times per quiet period and stays one incident (a few 10 s
   * windows would close and reopen it at every 30 s or 1 min probe). Still well inside
   * MesherPanic's 15 min window, so the incident closes before that alert resolves.
   */
  std::chrono::milliseconds panic_quiet{std::chrono::minutes{5}};
  /** Probes that started this long before a crash are attribution candidates (F-01: ~1 s). */
  std::chrono::milliseconds attribution_window{5000};
  /** The "probe just before" is the last start within this look-back. */
  std::chrono::milliseconds probe_before_window{10000};
  /**
   * Probes crash attribution must never suspect, by name and route; they still appear as the
   * probe before a crash. Unset: any probe may be suspected.
   */
  std::function<bool(std::string_view probe, std::string_view route)> never_suspect;
  std::size_t attribution_crashes = 2;
  std::size_t attribution_history = 10;
  std::chrono::seconds attribution_max_age{3600};
  /** endpoint_outage: this many distinct probes failing within outage_window, process alive. */
  std::size_t outage_probes = 3;
  std::chrono::milliseconds outage_window{10000};
  /** heartbeat_stale opens when an armed heartbeat passes its D4 alert age. */
  bool heartbeat_incidents = true;

  std::size_t max_probe_starts = 1024;
  std::size_t max_probe_failures = 512;
  std::size_t max_panics = 16;
  std::size_t max_console_lines = 64;
  std::size_t max_open = 32;
  std::size_t max_recent = 50;
};

/** Injected clocks: the system clocks in production, a fake in tests. */
struct incident_clocks {
  std::function<std::chrono::steady_clock::time_point()> steady;
  std::function<std::chrono::system_clock::time_point()> wall;
  static incident_clocks system();
};

struct incident_callbacks {
  /** A new incident (it grows until closed; the closed copy is the complete one). */
  std::function<void(const incident&)> on_opened;
  std::function<void(const incident&)> on_closed;
  /** Crash attribution suspended `probe` of `target`; called once per suspension. */
  std::function<void(const std::string& probe, const std::string& target, const std::string& reason)>
      on_suspend;
};

class incident_correlator {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  incident_correlator(incident_correlator_options options, incident_clocks clocks,
                      incident_callbacks callbacks);
  ~incident_correlator();
  incident_correlator(const incident_correlator&) = delete;
  incident_correlator& operator=(const incident_correlator&) = delete;

  void on_process_event(const process_event& e);
  void on_console_event(const console_event& e);
  /**
   * Every console line of `target` as received, classified or not: the last ones before an exit
   * go into its crash or clean_exit incident. Cheap: no expiry work, one bounded copy.
   */
  void on_console_line(const std::string& target, const console_line& line);
  void on_probe_result(const probe_result& r);
  /** Called by the scheduler as a probe run starts (results arrive only when it ends). */
  void note_probe_started(std::string_view probe, std::string_view target, std::string_view route,
                          time_point at);

  /** Closes incidents whose window passed, opens delayed ones; call about once a second. */
  void tick();
  /** The earliest time tick() has work to do; nullopt when nothing waits. */
  std::optional<time_point> next_deadline() const;
  /** Closes every open incident (shutdown); on_closed fires for each. */
  void close_all(std::string_view reason);

  bool suspended(const std::string& target, const std::string& probe) const;
  /** Forgets a suspension so crash attribution may suspend the probe again. */
  void resume(const std::string& target, const std::string& probe);

  /** Closed incidents, oldest first, at most max_recent. */
  const std::deque<incident>& recent() const;
  /** Open incidents, oldest first. */
  std::vector<incident> open_incidents() const;
  std::size_t open_count(const std::string& target) const;

  /** Sizes of the internal rings, for the bound tests. */
  struct sizes {
    std::size_t probe_starts = 0;
    std::size_t probe_failures = 0;
    std::size_t panics = 0;
    std::size_t console_lines = 0;
    std::size_t tail_lines = 0;
    std::size_t open = 0;
    std::size_t recent = 0;
  };
  sizes memory() const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace meshwatch

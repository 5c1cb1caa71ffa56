#pragma once
// Builders for the events the correlator consumes, and a fake clock, so each test reads as the
// sequence it checks.
#include <chrono>
#include <string>
#include <vector>

#include "daemon/console/console_event.hpp"
#include "daemon/incidents/incident_correlator.hpp"
#include "daemon/process/process_event.hpp"
#include "probes/probe_result.hpp"

namespace meshwatch::test {

using namespace std::chrono_literals;
using steady_tp = std::chrono::steady_clock::time_point;
using wall_tp = std::chrono::system_clock::time_point;

/** Steady and wall time advance together from a fixed origin. */
struct fake_clock {
  steady_tp steady = steady_tp{} + 1000h;  // far from zero: "before" windows never underflow
  wall_tp wall = wall_tp{} + std::chrono::seconds{1'750'000'000};

  void advance(std::chrono::milliseconds d) {
    steady += d;
    wall += d;
  }
  /** The wall time that corresponds to steady time `t`. */
  wall_tp wall_at(steady_tp t) const {
    return wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(steady - t);
  }
  incident_clocks clocks() {
    return {[this] { return steady; }, [this] { return wall; }};
  }
};

inline process_event process(const fake_clock& c, process_event_kind kind,
                             const std::string& target = "mesher") {
  process_event e;
  e.kind = kind;
  e.target = target;
  e.process = {4242, 1};
  e.at = c.steady;
  e.wall_time = c.wall;
  return e;
}

inline process_event exited(const fake_clock& c, exit_status status, const std::string& target = "mesher") {
  auto e = process(c, process_event_kind::exited, target);
  e.exit = classify_exit(status, 120s);
  e.detail = std::string(to_string(e.exit->classification));
  return e;
}

inline console_event console(const fake_clock& c, console_event_kind kind, console_severity severity,
                             const std::string& line, const std::string& target = "mesher") {
  console_event e;
  e.kind = kind;
  e.severity = severity;
  e.target = target;
  e.stream = console_stream::err;
  e.time = {c.wall, c.steady};
  e.line = line;
  return e;
}

inline console_event heartbeat_line(const fake_clock& c, heartbeat h, const std::string& target = "mesher") {
  auto e = console(c, console_event_kind::load_monitor, console_severity::info,
                   "[Mesher] Load monitor: 0 events/5s", target);
  e.beat = h;
  return e;
}

/** A panic block as the console watcher reports it; its first line was printed at `first`. */
inline console_event panic_block(
    const fake_clock& c, steady_tp first, bool aborted, bool caught,
    const std::string& message = "Mesh panic at <unknown>:0: non-exhaustive match in switch",
    const std::string& target = "mesher") {
  auto e = console(c, console_event_kind::panic, console_severity::fatal,
                   "thread '<unnamed>' (4243) panicked at crates/mesh-rt/src/panic.rs:33:9:", target);
  panic_details d;
  d.kind = panic_kind::mesh;
  d.thread = "<unnamed>";
  d.location = "crates/mesh-rt/src/panic.rs:33:9";
  d.message = message;
  d.aborted = aborted;
  d.caught = caught;
  d.complete = true;
  d.lines = {e.line, message};
  d.first_line = {c.wall_at(first), first};
  e.panic = d;
  return e;
}

inline probe_result failed_probe(const fake_clock& c, const std::string& probe, steady_tp started,
                                 failure_reason reason = failure_reason::connect_refused,
                                 const std::string& target = "mesher") {
  probe_result r;
  r.probe = probe;
  r.target = target;
  r.route = "/api/v1/" + probe;
  r.method = "GET";
  r.passed = false;
  r.reason = reason;
  r.detail = "connection refused";
  r.started = started;
  r.started_wall = c.wall_at(started);
  r.duration = 3ms;
  return r;
}

/** Records every callback. */
struct recorder {
  std::vector<incident> opened;
  std::vector<incident> closed;
  struct suspension {
    std::string probe;
    std::string target;
    std::string reason;
  };
  std::vector<suspension> suspended;

  incident_callbacks callbacks() {
    return {[this](const incident& i) { opened.push_back(i); },
            [this](const incident& i) { closed.push_back(i); },
            [this](const std::string& p, const std::string& t, const std::string& r) {
              suspended.push_back({p, t, r});
            }};
  }
};

}  // namespace meshwatch::test

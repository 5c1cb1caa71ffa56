#pragma once
// What the process watcher tells the rest of meshwatch (the incident correlator, /status).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/process/environment_snapshot.hpp"
#include "daemon/process/exit_classifier.hpp"
#include "daemon/process/process_identity.hpp"

namespace meshwatch {

enum class process_event_kind {
  started,             // a process was found (or spawned); carries the environment snapshot
  exited,              // carries the exit report (status, classification, uptime)
  restarted,           // follows `started` when a previous process was seen before
  crash_loop_started,  // crash_loop_restarts restarts within crash_loop_window
  crash_loop_ended,
  ready,      // listening line seen and a fast-path probe passed
  not_ready,  // a ready process went away, or the start grace ran out first
};

std::string_view to_string(process_event_kind kind);

struct process_event {
  process_event_kind kind = process_event_kind::started;
  std::string target;
  process_identity process;  // the process the event is about
  std::chrono::system_clock::time_point wall_time;
  std::chrono::steady_clock::time_point at;         // when meshwatch saw it
  std::optional<exit_report> exit;                  // exited
  std::optional<environment_snapshot> environment;  // started
  std::uint64_t restarts_total = 0;                 // restarted / crash_loop_*
  std::string detail;                               // human-readable context, e.g. the not_ready reason
};

}  // namespace meshwatch

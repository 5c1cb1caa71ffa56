#pragma once
// The outcome of one probe run, whatever its kind: what the health state machine, metrics,
// regressions, incidents, /status and `meshwatch verify` consume.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probes/failure_reason.hpp"
#include "probes/shape_fingerprint.hpp"

namespace meshwatch {

enum class probe_kind_name { http, ws, pg, pipeline };

std::string_view to_string(probe_kind_name kind);

/**
 * A configured path template as the `route` label: without its query string, so
 * `…/issues?limit=1` and `…/issues` are one endpoint, and never with concrete ids.
 */
inline std::string route_label(std::string_view path_template) {
  return std::string(path_template.substr(0, path_template.find('?')));
}

struct probe_result {
  std::string probe;   // probe name from the config
  std::string target;  // target name
  probe_kind_name kind = probe_kind_name::http;
  std::string route;   // the path *template* (bounded label); "" for pg probes
  std::string method;  // GET/POST for http; "" otherwise

  bool passed = false;
  bool degraded = false;                 // passed, but slower than expect.degraded_after
  bool inconclusive = false;             // meshwatch itself was stalled (loop lag): says nothing about Mesher
  bool starting = false;                 // failed inside the target's start-up grace: tagged, not counted
  std::optional<failure_reason> reason;  // set when !passed
  std::string detail;                    // human-readable, bounded

  int http_status = 0;  // last HTTP status seen (0: none)
  std::chrono::system_clock::time_point started_wall{};
  std::chrono::steady_clock::time_point started{};
  std::chrono::nanoseconds duration{};
  /** Timed phases: connect, write, first_byte, transfer, handshake, first_reply, query. */
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> phases;
  /** Pipeline stages (accepted, db_visible, ws_pushed, …) that completed, with their latency. */
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> stages;
  /** Key/type fingerprint of a passing JSON response (shape drift), when there was one. */
  std::optional<shape_fingerprint> shape;
};

}  // namespace meshwatch

#pragma once
// What the console watcher reports: one classified line, or one whole panic block. Kinds are a
// closed enum because they become the `kind` label of meshwatch_console_events_total.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/console/console_line.hpp"

namespace meshwatch {

/** Mesher's periodic lines (RUNTIME.md §4) whose absence means a stalled worker (D4). */
enum class heartbeat : std::uint8_t { load_monitor, health_check, alert_evaluator };
inline constexpr std::array<heartbeat, 3> all_heartbeats{heartbeat::load_monitor, heartbeat::health_check,
                                                         heartbeat::alert_evaluator};
std::string_view to_string(heartbeat h);

enum class console_severity : std::uint8_t { info, warning, error, fatal };
std::string_view to_string(console_severity s);

/** One value per documented console text (RUNTIME.md §3–§5, API.md §1.4–§1.5), plus panic and user. */
enum class console_event_kind : std::uint8_t {
  // start-up (D3)
  db_connecting,
  db_connect_failed,
  standalone_mode,
  node_started,
  node_start_failed,
  peer_connected,
  peer_connect_failed,
  no_peers,
  partitions_created,
  partition_error,
  service_started,
  global_registration,
  foundation_ready,
  ws_server_starting,
  ws_listening,
  ws_start_failed,
  http_server_starting,
  http_listening,  // the only real readiness line
  http_start_failed,
  https_server,  // TLS variants; Mesher does not use TLS
  // periodic (D4, D11)
  load_monitor,
  health_check,
  alert_evaluator,
  alert_evaluator_error,
  spike_checker,
  spike_checker_error,
  retention_cleanup,
  retention_cleanup_error,
  partition_dropped,
  batch_dropped,
  ws_connection_closed,
  // cluster
  peers_detected,
  peer_monitoring,
  peer_monitor_failed,
  peer_lost,
  remote_processor,
  node_heartbeat_timeout,
  node_error,
  // runtime stderr (D11)
  http_parse_error,
  ws_upgrade_failed,
  ws_upgrade_buffered,
  accept_error,
  http_handler_panicked,  // only when not part of a panic block
  // multi-line (D2)
  panic,
  // a user pattern from the config
  user_match,
};
inline constexpr std::size_t console_event_kind_count =
    static_cast<std::size_t>(console_event_kind::user_match) + 1;
/**
 * The `kind` label of each event kind, indexed by the enum value (a static_assert keeps the table
 * in step). In the header so the config loader can refuse user pattern names that clash with it.
 */
inline constexpr std::array<std::string_view, console_event_kind_count> console_event_kind_names{
    "db_connecting",
    "db_connect_failed",
    "standalone_mode",
    "node_started",
    "node_start_failed",
    "peer_connected",
    "peer_connect_failed",
    "no_peers",
    "partitions_created",
    "partition_error",
    "service_started",
    "global_registration",
    "foundation_ready",
    "ws_server_starting",
    "ws_listening",
    "ws_start_failed",
    "http_server_starting",
    "http_listening",
    "http_start_failed",
    "https_server",
    "load_monitor",
    "health_check",
    "alert_evaluator",
    "alert_evaluator_error",
    "spike_checker",
    "spike_checker_error",
    "retention_cleanup",
    "retention_cleanup_error",
    "partition_dropped",
    "batch_dropped",
    "ws_connection_closed",
    "peers_detected",
    "peer_monitoring",
    "peer_monitor_failed",
    "peer_lost",
    "remote_processor",
    "node_heartbeat_timeout",
    "node_error",
    "http_parse_error",
    "ws_upgrade_failed",
    "ws_upgrade_buffered",
    "accept_error",
    "http_handler_panicked",
    "panic",
    "user_match",
};
static_assert(console_event_kind_names.back() == "user_match");
std::string_view to_string(console_event_kind k);
/** Parses a kind name (as used in config); nullopt if unknown. */
std::optional<console_event_kind> console_event_kind_from_string(std::string_view name);

/** Where a panic came from; the `kind` label of meshwatch_console_panics_total. */
enum class panic_kind : std::uint8_t {
  mesh,         // `Mesh panic at …` from mesh_panic (F-03)
  runtime,      // a runtime function (`mesh_list_get: …`, coroutine stack, capacity overflow, …)
  stdout_pipe,  // `failed printing to stdout` (F-38)
  allocation,   // `memory allocation of <N> bytes failed` (F-22), not a panic but an abort
};
inline constexpr std::array<panic_kind, 4> all_panic_kinds{panic_kind::mesh, panic_kind::runtime,
                                                           panic_kind::stdout_pipe, panic_kind::allocation};
std::string_view to_string(panic_kind k);

struct panic_details {
  panic_kind kind = panic_kind::runtime;
  std::string thread;                  // `<unnamed>`, `ws-accept-8081`; empty if the header was lost
  std::optional<std::int64_t> os_tid;  // recent rustc prints it after the name
  std::string location;                // file:line:col of the first header (the root cause)
  std::string message;                 // the first panic's message, lines joined by '\n'
  bool legacy_header = false;          // Rust < 1.73 form: panicked at '<msg>', f:l:c
  bool aborted = false;                // a non-unwinding abort followed (SIGABRT expected)
  bool caught = false;                 // `[mesh-rt] HTTP handler panicked` followed: the process lives
  bool complete = false;               // ended by its own last line, not by quiet time/other line/exit
  std::size_t backtrace_frames = 0;
  std::vector<std::string> lines;  // the block as printed, bounded
  console_time first_line{};
};

struct console_event {
  console_event_kind kind = console_event_kind::user_match;
  console_severity severity = console_severity::info;
  std::string target;  // the watcher's target name
  console_stream stream = console_stream::merged;
  console_time time{};  // receipt of the (last) line
  std::string line;     // the line; for a panic the header (or first) line
  std::string detail;   // the variable part: port, error text, reason, code, node, service, …
  std::string pattern;  // user pattern name for user_match
  std::optional<heartbeat> beat;
  std::optional<panic_details> panic;
  bool truncated = false;
};

}  // namespace meshwatch

#include "daemon/console/console_event.hpp"

namespace meshwatch {
namespace {

// Indexed by the enum value; a static_assert below keeps the table in step with the enum.
constexpr std::array<std::string_view, console_event_kind_count> kind_names{
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
static_assert(kind_names.back() == "user_match");

}  // namespace

std::string_view to_string(heartbeat h) {
  switch (h) {
    case heartbeat::load_monitor: return "load_monitor";
    case heartbeat::health_check: return "health_check";
    case heartbeat::alert_evaluator: return "alert_evaluator";
  }
  return "load_monitor";
}

std::string_view to_string(console_severity s) {
  switch (s) {
    case console_severity::info: return "info";
    case console_severity::warning: return "warning";
    case console_severity::error: return "error";
    case console_severity::fatal: return "fatal";
  }
  return "info";
}

std::string_view to_string(console_event_kind k) { return kind_names.at(static_cast<std::size_t>(k)); }

std::optional<console_event_kind> console_event_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kind_names.size(); ++i) {
    if (kind_names[i] == name) {
      return static_cast<console_event_kind>(i);
    }
  }
  return std::nullopt;
}

std::string_view to_string(panic_kind k) {
  switch (k) {
    case panic_kind::mesh: return "mesh";
    case panic_kind::runtime: return "runtime";
    case panic_kind::stdout_pipe: return "stdout_pipe";
    case panic_kind::allocation: return "allocation";
  }
  return "runtime";
}

}  // namespace meshwatch

#include "probes/failure_reason.hpp"

#include "probes/probe_result.hpp"

namespace meshwatch {

std::string_view to_string(failure_reason reason) {
  switch (reason) {
    case failure_reason::connect_refused: return "connect_refused";
    case failure_reason::timeout: return "timeout";
    case failure_reason::connection_closed: return "connection_closed";
    case failure_reason::malformed_response: return "malformed_response";
    case failure_reason::http_status: return "http_status";
    case failure_reason::invalid_json: return "invalid_json";
    case failure_reason::shape: return "shape";
    case failure_reason::body_mismatch: return "body_mismatch";
    case failure_reason::too_large: return "too_large";
    case failure_reason::ws_handshake: return "ws_handshake";
    case failure_reason::ws_rejected: return "ws_rejected";
    case failure_reason::ws_closed: return "ws_closed";
    case failure_reason::ws_no_reply: return "ws_no_reply";
    case failure_reason::ws_no_pong: return "ws_no_pong";
    case failure_reason::db_error: return "db_error";
    case failure_reason::not_persisted: return "not_persisted";
    case failure_reason::pipeline_stalled: return "pipeline_stalled";
    case failure_reason::target_down: return "target_down";
    case failure_reason::inconclusive: return "inconclusive";
    case failure_reason::internal: return "internal";
  }
  return "internal";
}

std::optional<failure_reason> parse_failure_reason(std::string_view name) {
  for (auto reason : all_failure_reasons) {
    if (to_string(reason) == name) {
      return reason;
    }
  }
  return std::nullopt;
}

std::string_view to_string(probe_kind_name kind) {
  switch (kind) {
    case probe_kind_name::http: return "http";
    case probe_kind_name::ws: return "ws";
    case probe_kind_name::pg: return "pg";
    case probe_kind_name::pipeline: return "pipeline";
  }
  return "http";
}

}  // namespace meshwatch

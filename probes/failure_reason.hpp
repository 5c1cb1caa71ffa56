#pragma once
// Why a probe failed: a closed set, so `reason` label values on metrics stay bounded.
#include <array>
#include <optional>
#include <string_view>

namespace meshwatch {

enum class failure_reason {
  connect_refused,
  timeout,
  connection_closed,   // closed or reset before a complete response (curl's "empty reply": a
                       // handler panic that drops the connection, or a dying process)
  malformed_response,  // bytes that are not an HTTP response: a Mesher defect, not meshwatch's
  http_status,
  invalid_json,
  shape,
  body_mismatch,
  too_large,
  ws_handshake,
  ws_rejected,
  ws_closed,
  ws_no_reply,
  ws_no_pong,
  db_error,
  not_persisted,
  pipeline_stalled,
  target_down,
  inconclusive,
  internal,
};

inline constexpr std::array all_failure_reasons{
    failure_reason::connect_refused,
    failure_reason::timeout,
    failure_reason::connection_closed,
    failure_reason::malformed_response,
    failure_reason::http_status,
    failure_reason::invalid_json,
    failure_reason::shape,
    failure_reason::body_mismatch,
    failure_reason::too_large,
    failure_reason::ws_handshake,
    failure_reason::ws_rejected,
    failure_reason::ws_closed,
    failure_reason::ws_no_reply,
    failure_reason::ws_no_pong,
    failure_reason::db_error,
    failure_reason::not_persisted,
    failure_reason::pipeline_stalled,
    failure_reason::target_down,
    failure_reason::inconclusive,
    failure_reason::internal,
};

std::string_view to_string(failure_reason reason);
std::optional<failure_reason> parse_failure_reason(std::string_view name);

}  // namespace meshwatch

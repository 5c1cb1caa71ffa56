#pragma once
// The verdict of checking one response (or WebSocket message) against its expectation.

#include <optional>
#include <string>

#include "probes/failure_reason.hpp"

namespace meshwatch {

/**
 * passed: every assertion held. degraded: passed, but slower than `degraded_after`.
 * reason is set exactly when !passed; detail is one short human line for logs and /status,
 * e.g. `/events_24h: expected number, got string`.
 */
struct check_result {
  bool passed = true;
  bool degraded = false;
  std::optional<failure_reason> reason;
  std::string detail;

  static check_result pass() { return {}; }
  static check_result fail(failure_reason why, std::string detail) {
    return {false, false, why, std::move(detail)};
  }
};

}  // namespace meshwatch

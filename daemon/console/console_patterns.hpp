#pragma once
// The built-in pattern table: one row per console text Mesher and its runtime print. Rows are
// tried in order and the first match wins, so specific rows precede general ones.
#include <optional>
#include <span>

#include "daemon/console/console_classifier.hpp"

namespace meshwatch {

/** Which stream a text is documented on. */
enum class stream_rule : std::uint8_t { out, err, any };

struct builtin_pattern {
  const char* regex;  // RE2, matched against the whole line; capture 1 (if any) is the detail
  std::optional<console_event_kind> kind;
  console_severity severity;
  stream_rule stream;
  std::optional<heartbeat> beat;
  panic_line panic;
};

std::span<const builtin_pattern> builtin_patterns();

}  // namespace meshwatch

#pragma once
// One line of Mesher's console as meshwatch received it. Mesher prints no timestamps, so the
// receipt time is the only time a line has (FAILURES.md D14).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshwatch {

/**
 * Which console stream a line came from. Child pipes keep stdout and stderr apart; a file or
 * journald merges them, so their lines are `merged` and the classifier accepts either stream.
 */
enum class console_stream : std::uint8_t { out, err, merged };

inline constexpr std::string_view to_string(console_stream s) {
  switch (s) {
    case console_stream::out: return "stdout";
    case console_stream::err: return "stderr";
    case console_stream::merged: return "merged";
  }
  return "merged";
}

/** Both clocks at one instant: wall time for reports, steady time for ages and quiet timers. */
struct console_time {
  std::chrono::system_clock::time_point wall{};
  std::chrono::steady_clock::time_point mono{};

  static console_time now() { return {std::chrono::system_clock::now(), std::chrono::steady_clock::now()}; }
};

struct console_line {
  /** Valid UTF-8: invalid bytes and NULs were replaced by U+FFFD, the trailing CR/LF removed. */
  std::string text;
  console_stream stream = console_stream::merged;
  /** When the line's last byte was received. */
  console_time received{};
  /** The line was longer than the limit; `text` holds its beginning only. */
  bool truncated = false;
  /** Some bytes were not valid UTF-8 (or were NUL) and were replaced. */
  bool had_invalid_bytes = false;
  /** Bytes before this line were dropped (a slow consumer or a rotation cut it): may be a tail. */
  bool after_gap = false;
};

}  // namespace meshwatch

#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "config/parsed.hpp"

namespace meshwatch {

/** The largest duration the config accepts; anything longer is a typo, and it keeps sums far from overflow.
 */
inline constexpr std::chrono::milliseconds max_config_duration = std::chrono::hours{24 * 365};

/**
 * Parses a duration with units, e.g. `250ms`, `15s`, `5m`, `1h`, `1m30s`.
 *
 * Grammar: one or more `<digits><unit>` with units `h`, `m`, `s`, `ms`, largest first, each at
 * most once. Rejected on purpose: a bare number (`15` — seconds or milliseconds?), signs,
 * fractions (`1.5s`; write `1500ms`), spaces, other units, and values above
 * max_config_duration. `0s` is valid here; callers decide whether zero makes sense.
 */
parsed<std::chrono::milliseconds> parse_duration(std::string_view text);

/** The canonical spelling of `d` that parse_duration reads back, e.g. `1m30s`, `250ms`, `0s`. */
std::string format_duration(std::chrono::milliseconds d);

}  // namespace meshwatch

#include "config/duration.hpp"

#include <array>
#include <cstdint>

namespace meshwatch {
namespace {

struct unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Largest first: the order a compound duration must follow.
constexpr std::array<unit, 4> units{{{"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

// The unit starting at `rest`, preferring the longest suffix so `ms` is not read as `m`.
// Returns units.size() when none matches.
std::size_t match_unit(std::string_view rest) {
  std::size_t best = units.size();
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (rest.starts_with(units[k].suffix) &&
        (best == units.size() || units[k].suffix.size() > units[best].suffix.size())) {
      best = k;
    }
  }
  return best;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using result = parsed<std::chrono::milliseconds>;
  constexpr std::string_view hint = "use e.g. 250ms, 15s, 5m, 1h or 1m30s";
  if (text.empty()) {
    return result::failure("empty duration (" + std::string{hint} + ")");
  }
  const std::int64_t max = max_config_duration.count();
  std::int64_t total = 0;
  std::size_t previous_unit = units.size();  // none yet
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      if (text[i] == '-') {
        return result::failure("negative durations are not allowed");
      }
      return result::failure("not a duration (" + std::string{hint} + ")");
    }
    // Accumulate with a cap instead of letting a long digit string overflow.
    std::int64_t number = 0;
    while (i < text.size() && is_digit(text[i])) {
      number = number * 10 + (text[i] - '0');
      if (number > max) {
        return result::failure("too large (the maximum is " + format_duration(max_config_duration) + ")");
      }
      ++i;
    }
    if (i == text.size()) {
      return result::failure("missing unit after " + std::string{text.substr(0, i)} + " (use ms, s, m or h)");
    }
    if (text[i] == '.' || text[i] == ',') {
      return result::failure("fractions are not allowed; use a smaller unit, e.g. 1500ms");
    }
    const std::size_t k = match_unit(text.substr(i));
    if (k == units.size()) {
      std::size_t end = i;
      while (end < text.size() && !is_digit(text[end])) {
        ++end;
      }
      return result::failure("unknown unit '" + std::string{text.substr(i, end - i)} +
                             "' (use ms, s, m or h)");
    }
    i += units[k].suffix.size();
    if (previous_unit < units.size() && k <= previous_unit) {
      return result::failure("units must go from largest to smallest, each at most once (e.g. 1h30m)");
    }
    previous_unit = k;
    if (number > (max - total) / units[k].millis) {
      return result::failure("too large (the maximum is " + format_duration(max_config_duration) + ")");
    }
    total += number * units[k].millis;
  }
  return result::success(std::chrono::milliseconds{total});
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t left = d.count();
  if (left <= 0) {
    // Negative values never come from the parser; print them plainly rather than garble them.
    return left == 0 ? "0s" : std::to_string(left) + "ms";
  }
  std::string out;
  for (const unit& u : units) {
    const std::int64_t n = left / u.millis;
    left %= u.millis;
    if (n != 0) {
      out += std::to_string(n);
      out += u.suffix;
    }
  }
  return out;
}

}  // namespace meshwatch

#pragma once

#include <optional>
#include <string>
#include <utility>

namespace meshwatch {

/**
 * A value, or a human-readable reason why the text could not be parsed into one.
 *
 * The config loader turns these reasons into `file:line:column: message` errors, so they are
 * strings written for a sysadmin rather than error codes (which is why this is not a
 * boost::system::result).
 */
template <class T>
struct parsed {
  std::optional<T> value;
  std::string error;  // set exactly when `value` is empty

  static parsed success(T v) { return parsed{std::move(v), {}}; }
  static parsed failure(std::string why) { return parsed{std::nullopt, std::move(why)}; }

  explicit operator bool() const noexcept { return value.has_value(); }
};

}  // namespace meshwatch

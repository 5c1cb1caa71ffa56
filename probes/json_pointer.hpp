#pragma once
// RFC 6901 JSON pointers evaluated over a parsed RapidJSON document.

#include <rapidjson/fwd.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshwatch {

/** The unescaped reference tokens of `pointer` (`~1` → `/`, `~0` → `~`), or nullopt if malformed. */
std::optional<std::vector<std::string>> split_json_pointer(std::string_view pointer);

/** Where a pointer led: the value, or why there is none (e.g. `no member 'events_24h'`). */
struct json_lookup {
  const rapidjson::Value* value = nullptr;
  std::string error;  // set exactly when value is null

  explicit operator bool() const noexcept { return value != nullptr; }
};

/**
 * Resolves `pointer` against `root`. "" is the whole document. Array tokens must be canonical
 * indices (`0`, `17`; no leading zeros, no signs); `-` (one past the end) never resolves
 * because a probe reads values, it never appends.
 */
json_lookup resolve_json_pointer(const rapidjson::Value& root, std::string_view pointer);

}  // namespace meshwatch

#pragma once
// The key/type structure of a JSON response, values ignored: learned per probe to detect
// "shape drift" (DESIGN §8), e.g. a field that turned from number to string or disappeared.

#include <rapidjson/fwd.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace meshwatch {

/** Bounds that keep fingerprinting cheap and its output small on any input. */
struct shape_limits {
  int max_depth = 12;                 // deeper containers are shown as `{…}` / `[…]`
  std::size_t max_array_samples = 8;  // array element shapes are merged from the first N elements
  std::size_t max_keys = 64;          // objects with more keys are maps keyed by data: `{…}`
  std::size_t max_key_bytes = 48;     // longer keys are cut (and end in `...`)
  std::size_t max_visits = 4096;      // total values looked at; the rest is `…`
};

/** Kinds seen at one path, as a bit set (a path can be `string|null` when elements differ). */
enum shape_kind : std::uint8_t {
  shape_boolean = 1,
  shape_null = 2,
  shape_number = 4,
  shape_string = 8,
  shape_object = 16,
  shape_array = 32,
};

/** One path of the flattened shape, e.g. `/items/[]/id` (an array element is `[]`). */
struct shape_entry {
  std::uint8_t kinds = 0;
  bool children_known = true;  // false: empty array, or cut by a limit
  bool array_element = false;  // the last path segment is an array element, not a member

  bool operator==(const shape_entry&) const = default;
};

/**
 * A stable description of a JSON value's structure.
 *
 * `text` is readable (`{a:number,b:[{id:string}],c:string|null}`; keys sorted, element shapes
 * merged), `hash` is FNV-1a 64 of `text` (stable across runs and builds), and `paths` is the
 * same structure flattened for diffing. Keys in paths are RFC 6901-escaped.
 */
struct shape_fingerprint {
  std::string text;
  std::uint64_t hash = 0;
  std::map<std::string, shape_entry> paths;

  bool operator==(const shape_fingerprint& other) const { return hash == other.hash && text == other.text; }
};

shape_fingerprint fingerprint_json(const rapidjson::Value& root, const shape_limits& limits = {});

/** `number`, `string|null`, … for a kind set. */
std::string shape_kinds_text(std::uint8_t kinds);

/**
 * What changed from `learned` to `current`, as readable lines (`/b/[]/id: string`,
 * `/a: number → string`).
 *
 * Data-dependent differences are not drift: a value that is null on one side matches any type,
 * and the children of an empty array (or of a part cut by a limit) are unknown, so they are
 * neither added nor removed. Only the topmost added or removed path is named.
 */
struct shape_diff {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  std::vector<std::string> retyped;

  bool empty() const noexcept { return added.empty() && removed.empty() && retyped.empty(); }
  /** One bounded line for a log or an event, e.g. `retyped /a: number → string; +2 more`. */
  std::string summary(std::size_t max_items = 5) const;
};

shape_diff diff_shapes(const shape_fingerprint& learned, const shape_fingerprint& current);

}  // namespace meshwatch

#pragma once
// JSON assertions (pointer → type / non_empty / array_of / equals) and pipeline captures.

#include <rapidjson/fwd.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/parsed.hpp"
#include "config/probe_config.hpp"
#include "config/text_template.hpp"
#include "probes/check_result.hpp"

namespace meshwatch {

/**
 * Checks every assertion against `root` (all are evaluated, so the detail can name several).
 *
 * The reason is `shape` when any value is missing or has the wrong JSON type (including an
 * `equals` literal of another type), else `body_mismatch` when a value differs or is empty,
 * else `internal` when an `equals` template names a variable without a value (a pipeline bug,
 * not Mesher's fault). A text literal also matches a number whose canonical text is the same
 * (`"42"` vs 42), because captured numbers travel between pipeline steps as text.
 */
check_result check_json(const std::vector<json_expectation>& expectations, const rapidjson::Value& root,
                        const template_vars& vars);

/**
 * The value at `pointer` as text, for a pipeline capture: strings verbatim, numbers in their
 * shortest form (`2.5`, `3`), booleans as `true`/`false`. Objects, arrays, null, a missing
 * value and strings longer than max_capture_bytes are errors.
 */
parsed<std::string> capture_json_value(const rapidjson::Value& root, std::string_view pointer);

/** Captured values end up in URLs and SQL parameters; anything longer is not an id. */
inline constexpr std::size_t max_capture_bytes = 4096;

}  // namespace meshwatch

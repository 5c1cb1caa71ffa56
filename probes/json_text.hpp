#pragma once
// Small helpers that turn JSON values and untrusted bytes into short, printable text.

#include <rapidjson/fwd.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "config/probe_config.hpp"

namespace meshwatch {

/** The JSON type of `v`, in the config's vocabulary. */
json_type json_type_of(const rapidjson::Value& v);

/** `string`, `number`, `boolean`, `object`, `array` or `null`. */
std::string_view json_kind_name(const rapidjson::Value& v);

/**
 * A number as the shortest text that reads back to the same value: integers exactly
 * (`42`, `-7`, `18446744073709551615`), doubles without trailing zeros (`2.5`, `3`, `1e+21`).
 * Precondition: v.IsNumber().
 */
std::string format_json_number(const rapidjson::Value& v);

/**
 * `text` single-quoted for a log line or a failure detail: bytes outside printable ASCII become
 * `\xNN` (bodies may be binary or not UTF-8), and anything past `max_bytes` becomes `…`, so a
 * detail never carries a whole body.
 */
std::string quote_for_detail(std::string_view text, std::size_t max_bytes = 64);

/** Like quote_for_detail, without the quotes (for JSON pointers and paths). */
std::string printable_for_detail(std::string_view text, std::size_t max_bytes = 128);

}  // namespace meshwatch

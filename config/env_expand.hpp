#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/parsed.hpp"

namespace meshwatch {

/**
 * Looks up an environment variable; nullopt when unset. Injected everywhere the config reads the
 * environment, so tests never have to mutate the process environment.
 */
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/** The real process environment (getenv). */
env_lookup process_env();

/** True for a valid environment variable name: `[A-Za-z_][A-Za-z0-9_]*`. */
bool is_env_name(std::string_view name);

/**
 * Expands `${NAME}` and `${NAME:-fallback}` (fallback used when NAME is unset or empty), and
 * turns `$$` into `$`. Any other `$` is kept as is. An unset NAME without a fallback, a bad
 * name or an unterminated `${` is an error: silently expanding to "" would hide a broken
 * deployment until the first probe fails.
 */
parsed<std::string> expand_env(std::string_view text, const env_lookup& env);

namespace detail {

/**
 * Expands the body of one `${...}` (the part between the braces, e.g. `NAME:-x`).
 * Shared with the probe templates, whose `${env:...}` form uses the same rules.
 */
parsed<std::string> expand_env_reference(std::string_view body, const env_lookup& env);

}  // namespace detail
}  // namespace meshwatch

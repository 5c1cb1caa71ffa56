#pragma once

#include <string_view>

namespace meshwatch {

/**
 * The built-in config (config/default.yaml, compiled into the binary): what `meshwatch run`
 * uses without --config and what `meshwatch print-default-config` prints.
 */
std::string_view default_config_text();

/** The name errors in the default config are reported under. */
inline constexpr std::string_view default_config_name = "<default config>";

}  // namespace meshwatch

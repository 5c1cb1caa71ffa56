#pragma once

// Private to the loader: one reader per top-level section of the config.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/detail/yaml_reader.hpp"

namespace meshwatch::detail {

/** Bounds on collections, so a generated or hostile file cannot balloon memory or time. */
/** Faster probing would load Mesher more than it tells us; also guards against `interval: 1ms` typos. */
inline constexpr std::chrono::milliseconds min_probe_interval{100};

inline constexpr std::size_t max_targets = 64;
inline constexpr std::size_t max_probes = 1000;
/** console.patterns: each is tried on every line, and each name is a metric series. */
inline constexpr std::size_t max_console_patterns = 64;
inline constexpr std::size_t max_console_pattern_name = 48;
inline constexpr std::size_t max_console_pattern_regex = 1024;
inline constexpr std::size_t max_steps = 32;
inline constexpr std::size_t max_headers = 32;
inline constexpr std::size_t max_json_expectations = 64;
inline constexpr std::size_t max_tags = 16;
inline constexpr std::size_t max_captures = 16;
inline constexpr std::size_t max_params = 16;
inline constexpr std::size_t max_statuses = 16;
inline constexpr std::size_t max_exec_args = 64;

/**
 * What probes need to know about a target, taken from the keys it declares even when their
 * values are invalid: one bad URL must not cascade into "target has no ws" errors.
 */
struct target_info {
  std::string name;
  bool has_ws = false;
  bool has_stream = false;  // has_ws and its stream subscriber not disabled
  bool has_database = false;
};

admin_config read_admin(reader& r, const located& at);
incidents_config read_incidents(reader& r, const located& at);
probe_defaults read_defaults(reader& r, const located& at);
/** `regression:` keys over `base` (the built-in values under defaults, the defaults under a probe). */
regression_config read_regression(reader& r, const located& at, regression_config base);
std::vector<target_config> read_targets(reader& r, const located& at, std::vector<target_info>& infos);
std::vector<probe_config> read_probes(reader& r, const located& at, const probe_defaults& defaults,
                                      const std::vector<target_info>& targets);

}  // namespace meshwatch::detail

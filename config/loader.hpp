#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/env_expand.hpp"

namespace meshwatch {

/** Bigger than any sane config; keeps a wrong path (a log, a core file) from being parsed. */
inline constexpr std::size_t max_config_bytes = std::size_t{1024} * 1024;
/** More than this is a runaway file, and the output would be unreadable anyway. */
inline constexpr std::size_t max_config_errors = 200;

/** One problem in a config file, positioned for an editor (1-based line and column). */
struct config_error {
  std::string file;
  int line = 1;
  int column = 1;
  std::string message;

  /** `file:line:column: message`, the format compilers use, so editors can jump to it. */
  std::string to_string() const;

  bool operator==(const config_error&) const = default;
};

/** Either a config (no errors) or every error found (no config). */
struct load_result {
  std::optional<config> value;
  std::vector<config_error> errors;

  bool ok() const noexcept { return value.has_value(); }
};

struct load_options {
  /** Used for `${NAME}` expansion and `$CREDENTIALS_DIRECTORY`. */
  env_lookup env = process_env();
  /**
   * Directory that relative `*_file:` paths are resolved against when $CREDENTIALS_DIRECTORY
   * is unset. Defaults to the config file's directory (load_config_text: file_name's).
   */
  std::optional<std::string> base_directory;
};

/**
 * Parses and validates a config. All errors are collected in one pass, so a sysadmin fixes a
 * file in one round; `file_name` only labels the errors (and locates relative secret files).
 */
load_result load_config_text(std::string_view yaml, std::string_view file_name,
                             const load_options& options = {});

/** Reads `path` (at most max_config_bytes) and loads it like load_config_text. */
load_result load_config_file(const std::string& path, const load_options& options = {});

}  // namespace meshwatch

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "config/env_expand.hpp"
#include "config/parsed.hpp"
#include "config/secret.hpp"

namespace meshwatch {

/** Secrets are short; a bigger file is a wrong path (e.g. a log file), not a password. */
inline constexpr std::size_t max_secret_file_bytes = 4096;

/**
 * Where a `*_file:` path points: absolute paths as written; relative ones inside
 * `$CREDENTIALS_DIRECTORY` when systemd set it (LoadCredential=), else next to the config file.
 */
std::string resolve_secret_path(std::string_view path, const std::string& config_dir, const env_lookup& env);

/**
 * Reads a secret file: at most max_secret_file_bytes, trailing CR/LF removed (editors and
 * `echo` add them), and not empty.
 */
parsed<secret> read_secret_file(const std::string& path);

}  // namespace meshwatch

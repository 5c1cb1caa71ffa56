#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/env_expand.hpp"
#include "config/loader.hpp"

namespace meshwatch::test {

/** tests/fixtures/config in the source tree. */
inline std::string fixtures_dir() { return MESHWATCH_CONFIG_FIXTURES_DIR; }

/** An environment made of exactly `vars`, so tests never read or mutate the real one. */
inline env_lookup fake_env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional{it->second};
  };
}

inline load_options options_with(std::map<std::string, std::string> vars = {}) {
  load_options options;
  options.env = fake_env(std::move(vars));
  return options;
}

/** Loads inline YAML as "test.yaml" with an empty environment. */
inline load_result load_text(std::string_view yaml, std::map<std::string, std::string> vars = {}) {
  return load_config_text(yaml, "test.yaml", options_with(std::move(vars)));
}

/** The errors as `file:line:column: message` lines, for readable assertion failures. */
inline std::vector<std::string> error_lines(const load_result& result) {
  std::vector<std::string> lines;
  for (const config_error& e : result.errors) {
    lines.push_back(e.to_string());
  }
  return lines;
}

}  // namespace meshwatch::test

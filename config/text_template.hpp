#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/env_expand.hpp"
#include "config/parsed.hpp"

namespace meshwatch {

/** Values for template variables: the target's fixtures plus pipeline captures. */
using template_vars = std::map<std::string, std::string, std::less<>>;

/**
 * A probe string with variables, e.g. `/api/v1/projects/${project_id}/issues`.
 *
 * Probe strings are parsed once at load time so that a typo in a variable name is a config
 * error with a line number, not a failing probe hours later. Syntax:
 * - `${name}`: a variable bound at run time (`[a-z_][a-z0-9_]*`);
 * - `${env:NAME}`, `${env:NAME:-fallback}`: the environment, expanded at load time;
 * - `$$`: a literal `$`; any other `$` (e.g. SQL's `$1`) is literal too.
 */
class text_template {
 public:
  struct part {
    bool is_variable = false;
    std::string text;  // the literal text, or the variable name
    bool operator==(const part&) const = default;
  };

  text_template() = default;

  static parsed<text_template> parse(std::string_view source, const env_lookup& env);

  /** A template without variables; `text` is taken verbatim. */
  static text_template literal(std::string text);

  /** The text as written in the config, used as the `route` label (never concrete IDs). */
  const std::string& source() const noexcept { return source_; }

  const std::vector<part>& parts() const noexcept { return parts_; }

  /** The variable names in order of appearance (repeats included). */
  std::vector<std::string> variables() const;

  /** The rendered string, or nullopt when a variable has no value in `vars`. */
  std::optional<std::string> render(const template_vars& vars) const;

  bool operator==(const text_template&) const = default;

 private:
  std::string source_;
  std::vector<part> parts_;
};

/** True for a template variable name: `[a-z_][a-z0-9_]*`, at most 64 characters. */
bool is_template_variable_name(std::string_view name);

}  // namespace meshwatch

#include "config/env_expand.hpp"

#include <cstdlib>

namespace meshwatch {

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    // getenv races only with setenv, which meshwatch never calls.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string{value};
  };
}

bool is_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

namespace detail {

parsed<std::string> expand_env_reference(std::string_view body, const env_lookup& env) {
  using result = parsed<std::string>;
  const std::size_t sep = body.find(":-");
  const std::string_view name = body.substr(0, sep);
  if (!is_env_name(name)) {
    return result::failure("invalid environment variable name '" + std::string{name} +
                           "' (letters, digits and _, not starting with a digit)");
  }
  std::optional<std::string> value = env(std::string{name});
  if (sep != std::string_view::npos && (!value || value->empty())) {
    return result::success(std::string{body.substr(sep + 2)});
  }
  if (!value) {
    return result::failure("environment variable '" + std::string{name} + "' is not set (write ${" +
                           std::string{name} + ":-fallback} to give a fallback)");
  }
  return result::success(std::move(*value));
}

}  // namespace detail

parsed<std::string> expand_env(std::string_view text, const env_lookup& env) {
  using result = parsed<std::string>;
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t dollar = text.find('$', i);
    out.append(text.substr(i, dollar - i));
    if (dollar == std::string_view::npos) {
      break;
    }
    const std::string_view next = text.substr(dollar + 1, 1);
    if (next == "$") {
      out += '$';
      i = dollar + 2;
    } else if (next == "{") {
      const std::size_t close = text.find('}', dollar + 2);
      if (close == std::string_view::npos) {
        return result::failure("unterminated '${' (write $$ for a literal $)");
      }
      result value = detail::expand_env_reference(text.substr(dollar + 2, close - dollar - 2), env);
      if (!value) {
        return value;
      }
      out += *value.value;
      i = close + 1;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  return result::success(std::move(out));
}

}  // namespace meshwatch

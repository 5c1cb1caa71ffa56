#include "config/text_template.hpp"

#include <utility>

namespace meshwatch {
namespace {

void append_literal(std::vector<text_template::part>& parts, std::string_view text) {
  if (text.empty()) {
    return;
  }
  if (!parts.empty() && !parts.back().is_variable) {
    parts.back().text.append(text);
  } else {
    parts.push_back({false, std::string{text}});
  }
}

}  // namespace

bool is_template_variable_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

parsed<text_template> text_template::parse(std::string_view source, const env_lookup& env) {
  using result = parsed<text_template>;
  text_template t;
  t.source_ = std::string{source};
  std::size_t i = 0;
  while (i < source.size()) {
    const std::size_t dollar = source.find('$', i);
    append_literal(t.parts_, source.substr(i, dollar - i));
    if (dollar == std::string_view::npos) {
      break;
    }
    const std::string_view next = source.substr(dollar + 1, 1);
    if (next == "$") {
      append_literal(t.parts_, "$");
      i = dollar + 2;
      continue;
    }
    if (next != "{") {
      append_literal(t.parts_, "$");
      i = dollar + 1;
      continue;
    }
    const std::size_t close = source.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      return result::failure("unterminated '${' (write $$ for a literal $)");
    }
    const std::string_view body = source.substr(dollar + 2, close - dollar - 2);
    i = close + 1;
    if (body.starts_with("env:")) {
      parsed<std::string> value = detail::expand_env_reference(body.substr(4), env);
      if (!value) {
        return result::failure(std::move(value.error));
      }
      append_literal(t.parts_, *value.value);
      continue;
    }
    if (!is_template_variable_name(body)) {
      return result::failure("invalid variable name '${" + std::string{body} +
                             "}' (lowercase letters, digits and _; ${env:NAME} for the environment)");
    }
    t.parts_.push_back({true, std::string{body}});
  }
  return result::success(std::move(t));
}

text_template text_template::literal(std::string text) {
  text_template t;
  t.source_ = std::move(text);
  append_literal(t.parts_, t.source_);
  return t;
}

std::vector<std::string> text_template::variables() const {
  std::vector<std::string> names;
  for (const part& p : parts_) {
    if (p.is_variable) {
      names.push_back(p.text);
    }
  }
  return names;
}

std::optional<std::string> text_template::render(const template_vars& vars) const {
  std::string out;
  for (const part& p : parts_) {
    if (!p.is_variable) {
      out += p.text;
      continue;
    }
    const auto it = vars.find(p.text);
    if (it == vars.end()) {
      return std::nullopt;
    }
    out += it->second;
  }
  return out;
}

}  // namespace meshwatch

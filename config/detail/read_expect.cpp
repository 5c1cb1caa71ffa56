// Probe strings, HTTP requests and response expectations.

#include <algorithm>
#include <charconv>
#include <cmath>

#include "config/detail/probe_reading.hpp"
#include "config/duration.hpp"

namespace meshwatch::detail {
namespace {

constexpr std::string_view matcher_help =
    "use string, number, boolean, object, array, null, non_empty, true, false, a number, "
    "a quoted string, or {array_of: <type>}";

std::optional<json_type> json_type_named(std::string_view name) {
  for (json_type t : {json_type::string, json_type::number, json_type::boolean, json_type::object,
                      json_type::array, json_type::null}) {
    if (to_string(t) == name) {
      return t;
    }
  }
  return std::nullopt;
}

// RFC 9110 token characters; Mesher matches header names byte for byte, so no case folding here.
bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
  });
}

std::optional<json_matcher> read_matcher(reader& r, const located& at, const probe_scope& scope) {
  const YAML::Node& node = at.node;
  if (node.IsNull()) {
    return json_type::null;
  }
  if (node.IsMap()) {
    const mapping m{r, at, {"array_of"}};
    std::optional<located> element = m.require("array_of");
    if (!element) {
      return std::nullopt;
    }
    std::optional<std::string> name = read_string(r, *element);
    std::optional<json_type> type = name ? json_type_named(*name) : std::nullopt;
    if (name && !type) {
      r.error(*element, element->path + ": unknown JSON type '" + *name +
                            "' (use string, number, boolean, object, array or null)");
    }
    return type ? std::optional<json_matcher>{json_array_of{*type}} : std::nullopt;
  }
  if (!node.IsScalar()) {
    r.error(at,
            at.path + " must be a type, a value or {array_of: <type>}, not " + std::string{describe(node)});
    return std::nullopt;
  }
  // A quoted (or !!str) scalar is always literal text; only plain words are type names, so a
  // typo like `nubmer` is an error instead of a silent string comparison.
  if (node.Tag() != "?") {
    std::optional<text_template> text = read_template(r, at, scope);
    return text ? std::optional<json_matcher>{json_equals{std::move(*text)}} : std::nullopt;
  }
  const std::string& word = node.Scalar();
  if (std::optional<json_type> type = json_type_named(word)) {
    return *type;
  }
  if (word == "non_empty") {
    return json_non_empty{};
  }
  if (word == "true" || word == "false") {
    return json_equals{word == "true"};
  }
  double number = 0;
  const char* end = word.data() + word.size();
  const auto [ptr, ec] = std::from_chars(word.data(), end, number);
  if (!word.empty() && ec == std::errc{} && ptr == end && std::isfinite(number)) {
    return json_equals{number};
  }
  r.error(at, at.path + ": unknown JSON type '" + word + "' (" + std::string{matcher_help} + ")");
  return std::nullopt;
}

std::optional<std::vector<int>> read_status(reader& r, const located& at) {
  std::vector<located> items;
  if (at.node.IsSequence()) {
    std::optional<std::vector<located>> list = read_list(r, at, max_statuses);
    if (!list) {
      return std::nullopt;
    }
    if (list->empty()) {
      r.error(at, at.path + " must list at least one status code");
      return std::nullopt;
    }
    items = std::move(*list);
  } else {
    items.push_back(at);
  }
  std::vector<int> codes;
  for (const located& item : items) {
    if (std::optional<std::int64_t> code = read_int(r, item, 100, 599)) {
      codes.push_back(static_cast<int>(*code));
    }
  }
  return codes.size() == items.size() ? std::optional{std::move(codes)} : std::nullopt;
}

}  // namespace

bool probe_scope::knows(std::string_view name) const {
  return std::find(variables.begin(), variables.end(), name) != variables.end();
}

bool is_json_pointer(std::string_view s) {
  if (s.empty()) {
    return true;
  }
  if (s[0] != '/') {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && (i + 1 == s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

std::optional<text_template> read_template(reader& r, const located& at, const probe_scope& scope) {
  std::optional<std::string> text = read_scalar(r, at);
  if (!text) {
    return std::nullopt;
  }
  parsed<text_template> t = text_template::parse(*text, r.env());
  if (!t) {
    r.error(at, at.path + ": " + t.error);
    return std::nullopt;
  }
  for (const std::string& name : t.value->variables()) {
    if (!scope.knows(name)) {
      r.error(at, at.path + ": unknown variable '${" + name + "}' (known: " + join(scope.variables) + ")");
      return std::nullopt;
    }
  }
  return std::move(*t.value);
}

std::optional<text_template> read_path(reader& r, const located& at, const probe_scope& scope) {
  std::optional<text_template> t = read_template(r, at, scope);
  if (t && (!t->source().starts_with('/') || t->source().find_first_of(" \t\r\n#") != std::string::npos)) {
    r.error(at, at.path + " must start with '/' and contain no spaces or '#', got '" + t->source() + "'");
    return std::nullopt;
  }
  return t;
}

header_list read_headers(reader& r, const located& at, const probe_scope& scope) {
  header_list headers;
  const mapping h{r, at, {}, max_headers};
  for (const mapping::entry& e : h.entries()) {
    if (!is_header_name(e.key)) {
      r.error(e.key_mark, "invalid header name '" + e.key + "' in " + at.path);
      continue;
    }
    if (std::optional<text_template> value = read_template(r, e.value, scope)) {
      headers.emplace_back(e.key, std::move(*value));
    }
  }
  return headers;
}

http_request read_http_request(reader& r, const located& at, const probe_scope& scope) {
  http_request req;
  const mapping m{r, at, {"method", "path", "headers", "body"}};
  if (std::optional<located> method = m.find("method")) {
    if (std::optional<std::string> text = read_string(r, *method)) {
      const std::initializer_list<std::string_view> methods{"GET",    "POST", "PUT",    "PATCH",
                                                            "DELETE", "HEAD", "OPTIONS"};
      if (std::find(methods.begin(), methods.end(), *text) != methods.end()) {
        req.method = std::move(*text);
      } else {
        r.error(*method, method->path + " must be one of " + join(methods) + ", got '" + *text + "'");
      }
    }
  }
  if (std::optional<located> path = m.require("path")) {
    req.path = read_path(r, *path, scope).value_or(text_template{});
  }
  if (std::optional<located> headers = m.find("headers")) {
    req.headers = read_headers(r, *headers, scope);
  }
  if (std::optional<located> body = m.find("body")) {
    if (!body->node.IsScalar()) {
      // A YAML mapping here is almost always a JSON body written as YAML; say how to fix it.
      r.error(*body, body->path + " must be a string (quote JSON bodies, e.g. body: '{\"a\": 1}'), not " +
                         std::string{describe(body->node)});
    } else {
      req.body = read_template(r, *body, scope);
    }
  }
  return req;
}

expectation read_expect(reader& r, const located& at, bool http, const probe_scope& scope,
                        std::chrono::milliseconds timeout) {
  expectation e;
  const mapping m = http ? mapping{r, at, {"status", "json", "body_prefix", "degraded_after"}}
                         : mapping{r, at, {"degraded_after"}};
  if (std::optional<located> status = m.find("status")) {
    e.status = read_status(r, *status).value_or(std::vector<int>{});
  }
  if (std::optional<located> json = m.find("json")) {
    e.json = read_json_map(r, *json, scope);
  }
  if (std::optional<located> prefix = m.find("body_prefix")) {
    std::optional<text_template> t = read_template(r, *prefix, scope);
    if (t && t->source().empty()) {
      r.error(*prefix, prefix->path + " must not be empty");
    } else {
      e.body_prefix = std::move(t);
    }
  }
  if (std::optional<located> degraded = m.find("degraded_after")) {
    e.degraded_after = read_duration(r, *degraded, std::chrono::milliseconds{1});
    if (e.degraded_after && *e.degraded_after >= timeout) {
      r.error(*degraded, degraded->path + " (" + format_duration(*e.degraded_after) +
                             ") must be shorter than the timeout (" + format_duration(timeout) + ")");
    }
  }
  return e;
}

std::vector<json_expectation> read_json_map(reader& r, const located& at, const probe_scope& scope) {
  std::vector<json_expectation> out;
  const mapping m{r, at, {}, max_json_expectations};
  for (const mapping::entry& e : m.entries()) {
    if (!is_json_pointer(e.key)) {
      r.error(e.key_mark, "invalid JSON pointer '" + e.key + "' in " + at.path +
                              " (write \"/field\" or \"/list/0/field\"; ~0 for ~ and ~1 for /)");
      continue;
    }
    if (std::optional<json_matcher> matcher = read_matcher(r, e.value, scope)) {
      out.push_back({e.key, std::move(*matcher)});
    }
  }
  return out;
}

}  // namespace meshwatch::detail

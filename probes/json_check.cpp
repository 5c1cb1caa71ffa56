#include "probes/json_check.hpp"

#include <rapidjson/document.h>

#include "probes/json_pointer.hpp"
#include "probes/json_text.hpp"

namespace meshwatch {
namespace {

// A detail names at most this many failed assertions, so it stays one readable line.
constexpr std::size_t max_listed_failures = 3;

struct mismatch {
  failure_reason reason;
  std::string why;
};

std::string describe_value(const rapidjson::Value& v) {
  if (v.IsString()) {
    return "string " + quote_for_detail(std::string_view{v.GetString(), v.GetStringLength()});
  }
  if (v.IsNumber()) {
    return "number " + format_json_number(v);
  }
  if (v.IsBool()) {
    return v.GetBool() ? "true" : "false";
  }
  return std::string{json_kind_name(v)};
}

std::string display_pointer(std::string_view pointer) {
  return pointer.empty() ? std::string{"(document)"} : printable_for_detail(pointer);
}

std::optional<mismatch> check_type(json_type want, const rapidjson::Value& v) {
  if (json_type_of(v) == want) {
    return std::nullopt;
  }
  return mismatch{failure_reason::shape,
                  "expected " + std::string{to_string(want)} + ", got " + std::string{json_kind_name(v)}};
}

std::optional<mismatch> check_non_empty(const rapidjson::Value& v) {
  bool empty = false;
  if (v.IsString()) {
    empty = v.GetStringLength() == 0;
  } else if (v.IsArray()) {
    empty = v.Empty();
  } else if (v.IsObject()) {
    empty = v.ObjectEmpty();
  } else {
    return mismatch{failure_reason::shape,
                    "expected a non-empty string, array or object, got " + std::string{json_kind_name(v)}};
  }
  if (!empty) {
    return std::nullopt;
  }
  return mismatch{failure_reason::body_mismatch,
                  "expected non-empty, got empty " + std::string{json_kind_name(v)}};
}

std::optional<mismatch> check_array_of(json_type element, const rapidjson::Value& v) {
  if (!v.IsArray()) {
    return mismatch{failure_reason::shape, "expected array of " + std::string{to_string(element)} + ", got " +
                                               std::string{json_kind_name(v)}};
  }
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    if (json_type_of(v[i]) != element) {
      return mismatch{failure_reason::shape, "element " + std::to_string(i) + ": expected " +
                                                 std::string{to_string(element)} + ", got " +
                                                 std::string{json_kind_name(v[i])}};
    }
  }
  return std::nullopt;
}

std::optional<mismatch> check_equals_text(const text_template& want, const rapidjson::Value& v,
                                          const template_vars& vars) {
  std::optional<std::string> text = want.render(vars);
  if (!text) {
    for (const std::string& name : want.variables()) {
      if (vars.find(name) == vars.end()) {
        return mismatch{failure_reason::internal, "variable '${" + name + "}' has no value"};
      }
    }
    return mismatch{failure_reason::internal,
                    "template " + quote_for_detail(want.source()) + " did not render"};
  }
  if (v.IsString()) {
    if (std::string_view{v.GetString(), v.GetStringLength()} == *text) {
      return std::nullopt;
    }
    return mismatch{failure_reason::body_mismatch,
                    "expected " + quote_for_detail(*text) + ", got " + describe_value(v)};
  }
  if (v.IsNumber()) {
    if (format_json_number(v) == *text) {
      return std::nullopt;
    }
    return mismatch{failure_reason::body_mismatch,
                    "expected " + quote_for_detail(*text) + ", got " + describe_value(v)};
  }
  return mismatch{failure_reason::shape,
                  "expected string " + quote_for_detail(*text) + ", got " + describe_value(v)};
}

std::optional<mismatch> check_equals(const json_equals& want, const rapidjson::Value& v,
                                     const template_vars& vars) {
  if (const bool* b = std::get_if<bool>(&want.value)) {
    if (!v.IsBool()) {
      return mismatch{failure_reason::shape,
                      std::string{"expected "} + (*b ? "true" : "false") + ", got " + describe_value(v)};
    }
    if (v.GetBool() == *b) {
      return std::nullopt;
    }
    return mismatch{failure_reason::body_mismatch,
                    std::string{"expected "} + (*b ? "true" : "false") + ", got " + describe_value(v)};
  }
  if (const double* d = std::get_if<double>(&want.value)) {
    // Never `v == *d`: RapidJSON's Value/primitive comparison recurses forever under C++20.
    rapidjson::Value expected(*d);
    const std::string want_text = format_json_number(expected);
    if (!v.IsNumber()) {
      return mismatch{failure_reason::shape, "expected " + want_text + ", got " + describe_value(v)};
    }
    if (v.GetDouble() == *d) {
      return std::nullopt;
    }
    return mismatch{failure_reason::body_mismatch, "expected " + want_text + ", got " + describe_value(v)};
  }
  return check_equals_text(std::get<text_template>(want.value), v, vars);
}

std::optional<mismatch> check_one(const json_matcher& matcher, const rapidjson::Value& v,
                                  const template_vars& vars) {
  if (const json_type* type = std::get_if<json_type>(&matcher)) {
    return check_type(*type, v);
  }
  if (std::holds_alternative<json_non_empty>(matcher)) {
    return check_non_empty(v);
  }
  if (const json_array_of* array_of = std::get_if<json_array_of>(&matcher)) {
    return check_array_of(array_of->element, v);
  }
  return check_equals(std::get<json_equals>(matcher), v, vars);
}

// shape explains the other mismatches, so it wins; internal only when nothing else failed.
int severity(failure_reason r) {
  switch (r) {
    case failure_reason::shape: return 2;
    case failure_reason::body_mismatch: return 1;
    default: return 0;
  }
}

}  // namespace

check_result check_json(const std::vector<json_expectation>& expectations, const rapidjson::Value& root,
                        const template_vars& vars) {
  std::optional<failure_reason> worst;
  std::string detail;
  std::size_t failures = 0;
  for (const json_expectation& e : expectations) {
    std::optional<mismatch> m;
    if (json_lookup found = resolve_json_pointer(root, e.pointer)) {
      m = check_one(e.matcher, *found.value, vars);
    } else {
      m = mismatch{failure_reason::shape, std::move(found.error)};
    }
    if (!m) {
      continue;
    }
    ++failures;
    if (!worst || severity(m->reason) > severity(*worst)) {
      worst = m->reason;
    }
    if (failures <= max_listed_failures) {
      detail += (detail.empty() ? "" : "; ") + display_pointer(e.pointer) + ": " + m->why;
    }
  }
  if (!worst) {
    return check_result::pass();
  }
  if (failures > max_listed_failures) {
    detail += "; +" + std::to_string(failures - max_listed_failures) + " more";
  }
  return check_result::fail(*worst, std::move(detail));
}

parsed<std::string> capture_json_value(const rapidjson::Value& root, std::string_view pointer) {
  json_lookup found = resolve_json_pointer(root, pointer);
  if (!found) {
    return parsed<std::string>::failure(display_pointer(pointer) + ": " + found.error);
  }
  const rapidjson::Value& v = *found.value;
  if (v.IsString()) {
    if (v.GetStringLength() > max_capture_bytes) {
      return parsed<std::string>::failure(display_pointer(pointer) + ": string of " +
                                          std::to_string(v.GetStringLength()) +
                                          " bytes is too long to capture");
    }
    return parsed<std::string>::success(std::string{v.GetString(), v.GetStringLength()});
  }
  if (v.IsNumber()) {
    return parsed<std::string>::success(format_json_number(v));
  }
  if (v.IsBool()) {
    return parsed<std::string>::success(v.GetBool() ? "true" : "false");
  }
  return parsed<std::string>::failure(display_pointer(pointer) + ": cannot capture " +
                                      std::string{json_kind_name(v)} +
                                      " (only strings, numbers and booleans)");
}

}  // namespace meshwatch

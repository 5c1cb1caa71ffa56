#include "probes/json_text.hpp"

#include <rapidjson/document.h>

#include <array>
#include <charconv>

namespace meshwatch {

json_type json_type_of(const rapidjson::Value& v) {
  if (v.IsString()) {
    return json_type::string;
  }
  if (v.IsNumber()) {
    return json_type::number;
  }
  if (v.IsBool()) {
    return json_type::boolean;
  }
  if (v.IsObject()) {
    return json_type::object;
  }
  if (v.IsArray()) {
    return json_type::array;
  }
  return json_type::null;
}

std::string_view json_kind_name(const rapidjson::Value& v) { return to_string(json_type_of(v)); }

std::string format_json_number(const rapidjson::Value& v) {
  if (v.IsUint64()) {
    return std::to_string(v.GetUint64());
  }
  if (v.IsInt64()) {
    return std::to_string(v.GetInt64());
  }
  // Shortest round-trip form: 2.50 → "2.5", 3.0 → "3"; RapidJSON never yields NaN or infinity.
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v.GetDouble());
  if (ec != std::errc{}) {
    return "NaN";
  }
  return std::string(buffer.data(), end);
}

std::string quote_for_detail(std::string_view text, std::size_t max_bytes) {
  std::string out = printable_for_detail(text.substr(0, max_bytes), max_bytes);
  out.insert(out.begin(), '\'');
  out.push_back('\'');
  if (text.size() > max_bytes) {
    out += "…";
  }
  return out;
}

std::string printable_for_detail(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  const std::size_t shown = text.size() < max_bytes ? text.size() : max_bytes;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\\' || byte == '\'') {
      out.push_back('\\');
      out.push_back(static_cast<char>(byte));
    } else if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(static_cast<char>(byte));
    } else {
      out += "\\x";
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0x0f]);
    }
  }
  if (shown < text.size()) {
    out += "…";
  }
  return out;
}

}  // namespace meshwatch

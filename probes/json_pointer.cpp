#include "probes/json_pointer.hpp"

#include <rapidjson/document.h>

#include <charconv>

#include "probes/json_text.hpp"

namespace meshwatch {
namespace {

// RFC 6901 §4: an array index is `0` or a digit sequence without a leading zero.
std::optional<rapidjson::SizeType> array_index(std::string_view token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) {
    return std::nullopt;
  }
  for (char c : token) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  rapidjson::SizeType index = 0;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (ec != std::errc{} || ptr != token.data() + token.size()) {
    // Too many digits for any array we could hold: treat it as out of range, not malformed.
    return rapidjson::SizeType(-1);
  }
  return index;
}

}  // namespace

std::optional<std::vector<std::string>> split_json_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) {
    return tokens;
  }
  if (pointer[0] != '/') {
    return std::nullopt;
  }
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (pointer[i] != '~') {
      token.push_back(pointer[i]);
      continue;
    }
    if (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
      return std::nullopt;
    }
    token.push_back(pointer[i + 1] == '0' ? '~' : '/');
    ++i;
  }
  return tokens;
}

json_lookup resolve_json_pointer(const rapidjson::Value& root, std::string_view pointer) {
  std::optional<std::vector<std::string>> tokens = split_json_pointer(pointer);
  if (!tokens) {
    return {nullptr, "malformed JSON pointer " + quote_for_detail(pointer)};
  }
  const rapidjson::Value* at = &root;
  for (const std::string& token : *tokens) {
    if (at->IsObject()) {
      const auto member = at->FindMember(rapidjson::StringRef(token.data(), token.size()));
      if (member == at->MemberEnd()) {
        return {nullptr, "no member " + quote_for_detail(token)};
      }
      at = &member->value;
    } else if (at->IsArray()) {
      std::optional<rapidjson::SizeType> index = array_index(token);
      if (!index) {
        return {nullptr, "array index " + quote_for_detail(token) + " is not a number"};
      }
      if (*index >= at->Size()) {
        return {nullptr,
                "index " + std::string{token} + " out of range (size " + std::to_string(at->Size()) + ")"};
      }
      at = &(*at)[*index];
    } else {
      return {nullptr,
              "cannot descend into " + std::string{json_kind_name(*at)} + " with " + quote_for_detail(token)};
    }
  }
  return {at, {}};
}

}  // namespace meshwatch

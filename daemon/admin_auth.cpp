#include "daemon/admin_auth.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace meshwatch {
namespace {

// Far above any real credentials, and the request's headers are bounded (8 KiB) before this.
constexpr std::size_t max_credentials_bytes = 4096;

bool same_secret(std::string_view given, std::string_view expected) {
  if (expected.empty()) {
    return false;
  }
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return diff == 0;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/** `value` minus a leading `scheme` and the spaces after it (RFC 9110: case-insensitive name). */
std::optional<std::string_view> credentials_of(std::string_view value, std::string_view scheme) {
  if (value.size() <= scheme.size() || value[scheme.size()] != ' ') {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (lower(value[i]) != scheme[i]) {
      return std::nullopt;
    }
  }
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  return value;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/** Standard base64 with optional padding; nullopt on any other byte or a truncated quantum. */
std::optional<std::string> decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int pending = 0;
  for (char c : text) {
    int digit = base64_digit(c);
    if (digit < 0) {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(digit);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xff));
    }
  }
  return out;
}

}  // namespace

bool admin_authorized(std::string_view authorization, std::string_view token) {
  if (token.empty() || authorization.size() > max_credentials_bytes) {
    return false;
  }
  if (auto bearer = credentials_of(authorization, "bearer")) {
    return same_secret(*bearer, token);
  }
  if (auto basic = credentials_of(authorization, "basic")) {
    auto decoded = decode_base64(*basic);
    if (!decoded) {
      return false;
    }
    // user-id ":" password; the user name is the browser user's to choose and is not checked.
    auto colon = decoded->find(':');
    return colon != std::string::npos && same_secret(std::string_view(*decoded).substr(colon + 1), token);
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> admin_auth_challenges() {
  return {{"WWW-Authenticate", "Bearer"},
          {"WWW-Authenticate", "Basic realm=\"meshwatch\", charset=\"UTF-8\""}};
}

}  // namespace meshwatch

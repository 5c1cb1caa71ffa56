#include "daemon/incidents/bounded_text.hpp"

#include <cstdint>

namespace meshwatch {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view ellipsis = "\xE2\x80\xA6";     // U+2026

/** Length of the valid UTF-8 sequence at `i`, or 0 if the bytes there are not one. */
std::size_t valid_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  auto continuation = [&](std::size_t k) { return k < s.size() && (byte(k) & 0xC0U) == 0x80U; };
  const std::uint8_t b0 = byte(i);
  if (b0 == 0) {
    return 0;  // NUL would end a C string in whoever reads the log next
  }
  if (b0 < 0x80) {
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return continuation(i + 1) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!continuation(i + 1) || !continuation(i + 2)) {
      return 0;
    }
    const std::uint8_t b1 = byte(i + 1);
    // Overlong forms (E0 80..9F) and UTF-16 surrogates (ED A0..BF) are not valid UTF-8.
    if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) {
      return 0;
    }
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) {
      return 0;
    }
    const std::uint8_t b1 = byte(i + 1);
    // Overlong (F0 80..8F) and beyond U+10FFFF (F4 90..).
    if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;
}

}  // namespace

std::string bounded_text(std::string_view text, std::size_t max_bytes) {
  // Sanitise only as much as can matter: one code point past the bound tells us we must cut.
  std::string clean;
  clean.reserve(text.size() < max_bytes ? text.size() : max_bytes + replacement.size());
  for (std::size_t i = 0; i < text.size() && clean.size() <= max_bytes;) {
    const std::size_t n = valid_sequence_length(text, i);
    clean.append(n > 0 ? text.substr(i, n) : replacement);
    i += n > 0 ? n : 1;
  }
  if (clean.size() <= max_bytes) {
    return clean;
  }
  if (max_bytes < ellipsis.size()) {
    return {};
  }
  std::size_t cut = max_bytes - ellipsis.size();
  // `clean` is valid UTF-8, so stepping back over continuation bytes lands on a boundary.
  while (cut > 0 && (static_cast<std::uint8_t>(clean[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  clean.resize(cut);
  clean.append(ellipsis);
  return clean;
}

}  // namespace meshwatch

#pragma once
// Incidents carry text from untrusted places (console lines, probe details, panic messages): it
// is made valid UTF-8 and cut to a size before it is stored, so memory and JSON stay bounded.
#include <cstddef>
#include <string>
#include <string_view>

namespace meshwatch {

/**
 * `text` as valid UTF-8 of at most `max_bytes` bytes: every invalid byte (and NUL) becomes U+FFFD,
 * and an over-long text is cut at a code-point boundary and ends in `…` (which counts toward the
 * bound). `max_bytes` below 4 still yields valid, if tiny, text.
 */
std::string bounded_text(std::string_view text, std::size_t max_bytes);

}  // namespace meshwatch

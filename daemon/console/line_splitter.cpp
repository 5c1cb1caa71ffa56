#include "daemon/console/line_splitter.hpp"

#include <cstring>

namespace meshwatch {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at `p` (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 if the bytes there are not one.
std::size_t valid_sequence(const unsigned char* p, std::size_t left) {
  unsigned char c = p[0];
  if (c >= 0x01 && c < 0x80) {
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    return left >= 2 && continuation(p[1]) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !continuation(p[1]) || !continuation(p[2])) {
      return 0;
    }
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)) {
      return 0;
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3])) {
      return 0;
    }
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) {
      return 0;
    }
    return 4;
  }
  return 0;  // NUL, stray continuation, C0/C1 lead bytes, F5..FF
}

}  // namespace

bool sanitize_utf8(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t left = in.size();
  bool replaced = false;
  while (left > 0) {
    std::size_t n = valid_sequence(p, left);
    if (n == 0) {
      out.append(replacement);
      replaced = true;
      n = 1;
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
    }
    p += n;
    left -= n;
  }
  return replaced;
}

line_splitter::line_splitter(console_stream stream, std::size_t max_line_bytes, sink out)
    : stream_(stream), max_line_bytes_(max_line_bytes == 0 ? 1 : max_line_bytes), out_(std::move(out)) {}

void line_splitter::append(std::string_view part) {
  std::size_t room = max_line_bytes_ - pending_.size();
  if (part.size() > room) {
    pending_.append(part.substr(0, room));
    truncated_ = true;
    return;
  }
  pending_.append(part);
}

void line_splitter::feed(std::string_view bytes, console_time received) {
  while (!bytes.empty()) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (nl == nullptr) {
      append(bytes);
      return;
    }
    auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
    append(bytes.substr(0, len));
    emit(received);
    bytes.remove_prefix(len + 1);
  }
}

void line_splitter::mark_gap(console_time received) {
  flush(received);
  gap_ = true;
}

void line_splitter::flush(console_time received) {
  if (!pending_.empty() || truncated_) {
    emit(received);
  }
}

void line_splitter::emit(console_time received) {
  console_line line;
  std::string_view raw = pending_;
  // CRLF endings (and a CR right before a cut) are line ends, not content.
  if (!raw.empty() && raw.back() == '\r') {
    raw.remove_suffix(1);
  }
  line.had_invalid_bytes = sanitize_utf8(raw, line.text);
  line.stream = stream_;
  line.received = received;
  line.truncated = truncated_;
  line.after_gap = gap_;
  ++lines_;
  if (truncated_) {
    ++truncated_lines_;
  }
  pending_.clear();
  // A cut line may have grown the buffer to the limit: give the memory back.
  if (pending_.capacity() > 4096) {
    pending_.shrink_to_fit();
  }
  truncated_ = false;
  gap_ = false;
  if (out_) {
    out_(std::move(line));
  }
}

}  // namespace meshwatch

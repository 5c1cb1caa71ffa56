#include "tests/twin/ws/handshake.hpp"

#include <algorithm>
#include <cstdint>

#include "tests/twin/ws/accept_key.hpp"

namespace meshwatch::twin::ws_detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_end(s);
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  return s;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool icontains(std::string_view haystack, std::string_view needle) {
  std::string h(haystack);
  std::transform(h.begin(), h.end(), h.begin(), lower);
  return h.find(needle) != std::string::npos;
}

}  // namespace

std::string request_head_reader::io_error_prefix() const {
  return have_request_line_ ? "read header" : "read request line";
}

request_head_reader::state request_head_reader::fail(std::string reason) {
  error_ = std::move(reason);
  state_ = state::failed;
  return state_;
}

request_head_reader::state request_head_reader::take_line(std::string line) {
  if (!is_valid_utf8(line)) {
    // Rust's read_line refuses the line with this io::Error text.
    return fail(io_error_prefix() + ": stream did not contain valid UTF-8");
  }
  const std::string_view trimmed = trim_end(line);
  if (!have_request_line_) {
    have_request_line_ = true;
    // splitn(3, ' '): at least method and target; a double space yields an empty target.
    const auto first_space = trimmed.find(' ');
    if (first_space == std::string_view::npos) {
      return fail("malformed request line: " + std::string(trimmed));
    }
    request_.method = std::string(trimmed.substr(0, first_space));
    const std::string_view rest = trimmed.substr(first_space + 1);
    request_.target = std::string(rest.substr(0, rest.find(' ')));
    return state_;
  }
  if (trimmed.empty()) {
    state_ = state::done;
    return state_;
  }
  const auto colon = trimmed.find(':');
  if (colon != std::string_view::npos) {
    request_.headers.emplace_back(std::string(trim(trimmed.substr(0, colon))),
                                  std::string(trim(trimmed.substr(colon + 1))));
  }
  return state_;
}

request_head_reader::state request_head_reader::feed(std::string_view bytes) {
  if (state_ != state::need_more) {
    return state_;
  }
  pending_.append(bytes);
  received_ += bytes.size();
  for (;;) {
    const auto nl = pending_.find('\n');
    if (nl == std::string::npos) {
      break;
    }
    std::string line = pending_.substr(0, nl + 1);
    pending_.erase(0, nl + 1);
    if (take_line(std::move(line)) != state::need_more) {
      return state_;
    }
  }
  if (received_ > max_head_bytes) {
    return fail(io_error_prefix() + ": request head larger than 1 MiB (twin limit)");
  }
  return state_;
}

request_head_reader::state request_head_reader::feed_eof() {
  if (state_ != state::need_more) {
    return state_;
  }
  // read_line returns the partial line at EOF, then empty lines: an empty request line is
  // "malformed", an unfinished header section ends as if a blank line had arrived.
  std::string rest = std::move(pending_);
  pending_.clear();
  if (take_line(std::move(rest)) != state::need_more) {
    return state_;
  }
  return take_line(std::string());
}

std::optional<std::string> validate_upgrade(const upgrade_request& request) {
  if (!iequals(request.method, "GET")) {
    return "method must be GET";
  }
  const std::string* upgrade = find_header_ci(request, "Upgrade");
  if (upgrade == nullptr || !icontains(*upgrade, "websocket")) {
    return "missing or invalid Upgrade header";
  }
  const std::string* connection = find_header_ci(request, "Connection");
  if (connection == nullptr || !icontains(*connection, "upgrade")) {
    return "missing or invalid Connection header";
  }
  if (find_header_ci(request, "Sec-WebSocket-Key") == nullptr) {
    return "missing Sec-WebSocket-Key header";
  }
  const std::string* version = find_header_ci(request, "Sec-WebSocket-Version");
  if (version == nullptr || *version != "13") {
    return "missing or invalid Sec-WebSocket-Version (must be 13)";
  }
  return std::nullopt;
}

const std::string* find_header_ci(const upgrade_request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (iequals(key, name)) {
      return &value;
    }
  }
  return nullptr;
}

bool has_header_exact(const upgrade_request& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [name](const auto& header) { return header.first == name; });
}

std::string switching_protocols_response(std::string_view client_key) {
  return "HTTP/1.1 101 Switching Protocols\r\n"
         "Upgrade: websocket\r\n"
         "Connection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         accept_key(client_key) + "\r\n\r\n";
}

std::string bad_request_response(std::string_view reason) {
  const std::string body = "Bad Request: " + std::string(reason);
  return "HTTP/1.1 400 Bad Request\r\n"
         "Content-Type: text/plain\r\n"
         "Content-Length: " +
         std::to_string(body.size()) +
         "\r\n"
         "Connection: close\r\n"
         "\r\n" +
         body;
}

// Strict UTF-8 (what Rust's str::from_utf8 accepts): no overlongs, no surrogates, <= U+10FFFF.
bool is_valid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace meshwatch::twin::ws_detail

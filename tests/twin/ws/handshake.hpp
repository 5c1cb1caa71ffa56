#pragma once
// The WebSocket upgrade request as mesh-rt's `ws/handshake.rs` reads it: line by line, with the
// header names kept exactly as sent (Mesher's auth check is case-sensitive, so a normalising
// parser such as Beast's would hide the `X-Sentry-Auth` quirk). Pure functions, no I/O.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshwatch::twin::ws_detail {

struct upgrade_request {
  std::string method;
  std::string target;                                        // verbatim, query string included
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, trimmed
};

/**
 * Incremental reader of the request head. Feed it socket bytes until it is done or failed.
 * mesh-rt uses BufReader::read_line, so: a line ends at '\n', the head ends at the first line
 * that is empty after trimming, header lines without ':' are skipped, EOF terminates the current
 * line (a head cut short by EOF is still validated), and each line must be valid UTF-8.
 */
class request_head_reader {
 public:
  enum class state { need_more, done, failed };

  state feed(std::string_view bytes);
  state feed_eof();

  /** Twin-only cap: mesh-rt has no header-size limit, an unbounded buffer is not acceptable here. */
  static constexpr std::size_t max_head_bytes = 1024 * 1024;

  const upgrade_request& request() const { return request_; }
  /** On failure: the stderr reason, e.g. `malformed request line: FOO`. */
  const std::string& error() const { return error_; }
  /** Bytes received after the blank line; mesh-rt warns about them and discards them. */
  std::size_t bytes_beyond_head() const { return pending_.size(); }
  /** Prefix for an I/O error reason: `read request line` or `read header`. */
  std::string io_error_prefix() const;

 private:
  state take_line(std::string line);
  state fail(std::string reason);

  state state_ = state::need_more;
  bool have_request_line_ = false;
  std::string pending_;
  std::size_t received_ = 0;
  upgrade_request request_;
  std::string error_;
};

/** RFC 6455 subset checked by mesh-rt; returns the 400 reason or nullopt when valid. */
std::optional<std::string> validate_upgrade(const upgrade_request& request);

/** First header whose name matches case-insensitively (validation only). */
const std::string* find_header_ci(const upgrade_request& request, std::string_view name);

/** Exact-case presence test, the way Mesher's `Map.has_key(headers, "x-sentry-auth")` works. */
bool has_header_exact(const upgrade_request& request, std::string_view name);

std::string switching_protocols_response(std::string_view client_key);
std::string bad_request_response(std::string_view reason);

bool is_valid_utf8(std::string_view bytes);

}  // namespace meshwatch::twin::ws_detail

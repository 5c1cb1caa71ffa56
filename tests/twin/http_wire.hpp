#pragma once
// Mesher's HTTP/1.1 wire format (RUNTIME.md §8): blocking reads with a per-read timeout,
// request line + headers ≤ 8 KiB, ≤ 100 headers, header names kept exactly as sent,
// Content-Length bodies only, no percent-decoding, one response then close.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace meshwatch::twin {

struct http_request {
  std::string method;
  std::string target;
  std::string path;
  std::string query_string;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;

  /** Case-sensitive lookup, last duplicate wins (Mesher's header map). */
  const std::string* header(const std::string& exact_name) const;
  /** `k=v` pairs split on `&` and the first `=`; no decoding; last duplicate wins. */
  std::map<std::string, std::string> query() const;
};

struct http_response {
  int status = 200;
  std::string body;
};

struct parse_error {
  /** ordinary: `[mesh-rt] HTTP parse error: <reason>`. The other two are what Mesher's up-front
      body allocation does with an absurd Content-Length (FAILURES.md F-22). */
  enum class kind { ordinary, capacity_overflow, allocation_failure };
  std::string reason;
  kind what = kind::ordinary;
  std::size_t bytes = 0;  // the Content-Length, for allocation_failure
};

/** Reads one request from a blocking socket whose SO_RCVTIMEO is already set. */
std::variant<http_request, parse_error> read_request(int fd);

/** Status line, the three fixed headers, body (RUNTIME.md §8.4). */
std::string serialize_response(const http_response& response);
/** Writes everything (MSG_NOSIGNAL); false if the peer is gone. */
bool send_all(int fd, const std::string& bytes);

/** Rust's io::Error display for an errno: `<strerror> (os error N)`. */
std::string os_error(int errnum);

/** Binds `host:port` (IPv4, SO_REUSEADDR, listen). fd ≥ 0 and the bound port, or an error. */
struct bound_listener {
  int fd = -1;
  unsigned short port = 0;
  std::string error;
};
bound_listener listen_ipv4(const std::string& host, unsigned short port);

}  // namespace meshwatch::twin

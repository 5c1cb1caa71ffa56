#include "tests/twin/http_wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace meshwatch::twin {
namespace {

constexpr std::size_t max_header_bytes = 8192;
constexpr std::size_t max_headers = 100;
// Defensive cap on one line (the request line is not counted by Mesher's 8 KiB rule, but a
// stand-in must stay bounded). Longer lines are a parse error.
constexpr std::size_t max_line_bytes = 1 << 20;
// Above this Mesher's calloc of the body fails on any ordinary host (overcommit heuristics);
// below it the memory is committed lazily as data arrives, which reading incrementally mirrors.
constexpr std::size_t max_lazy_body_bytes = std::size_t{64} << 30;

class line_reader {
 public:
  explicit line_reader(int fd) : fd_(fd) {}

  // One line without its CRLF/LF. nullopt + error on I/O failure; "" + eof at clean EOF.
  std::optional<std::string> line(std::string& error, bool& eof) {
    eof = false;
    for (;;) {
      auto nl = buffer_.find('\n', scan_from_);
      if (nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        scan_from_ = 0;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        return l;
      }
      scan_from_ = buffer_.size();
      if (buffer_.size() > max_line_bytes) {
        error = "line too long";
        return std::nullopt;
      }
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = os_error(errno);
        return std::nullopt;
      }
      if (n == 0) {
        eof = true;
        std::string rest = std::move(buffer_);
        buffer_.clear();
        scan_from_ = 0;
        if (!rest.empty() && rest.back() == '\r') rest.pop_back();
        return rest;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Exactly n body bytes (buffered bytes first). Mesher reads into a pre-sized buffer; we grow
  // as data arrives, so memory follows the bytes actually received.
  bool exactly(std::size_t n, std::string& out, std::string& error) {
    std::size_t take = std::min(n, buffer_.size());
    out.assign(buffer_, 0, take);
    buffer_.erase(0, take);
    while (out.size() < n) {
      char chunk[16384];
      std::size_t want = std::min(sizeof chunk, n - out.size());
      ssize_t got = ::recv(fd_, chunk, want, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        error = os_error(errno);
        return false;
      }
      if (got == 0) {
        error = "failed to fill whole buffer";
        return false;
      }
      out.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }

 private:
  int fd_;
  std::string buffer_;
  std::size_t scan_from_ = 0;
};

std::string trim(std::string s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    default: return "OK";
  }
}

}  // namespace

std::string os_error(int errnum) {
  return std::string(std::strerror(errnum)) + " (os error " + std::to_string(errnum) + ")";
}

const std::string* http_request::header(const std::string& exact_name) const {
  const std::string* found = nullptr;
  for (const auto& [name, value] : headers) {
    if (name == exact_name) found = &value;
  }
  return found;
}

std::map<std::string, std::string> http_request::query() const {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= query_string.size() && !query_string.empty()) {
    auto amp = query_string.find('&', start);
    std::string pair = query_string.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = pair.find('=');
    if (eq != std::string::npos) out[pair.substr(0, eq)] = pair.substr(eq + 1);
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

std::variant<http_request, parse_error> read_request(int fd) {
  line_reader in(fd);
  std::string error;
  bool eof = false;
  auto request_line = in.line(error, eof);
  if (!request_line) return parse_error{"read request line: " + error};

  http_request req;
  {
    std::vector<std::string> parts;
    std::size_t start = 0;
    const std::string& l = *request_line;
    while (start <= l.size()) {
      auto sp = l.find(' ', start);
      parts.push_back(l.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
      if (sp == std::string::npos) break;
      start = sp + 1;
    }
    if (parts.size() < 2 || l.empty()) return parse_error{"malformed request line: " + l};
    req.method = parts[0];
    req.target = parts[1];
  }
  auto qm = req.target.find('?');
  req.path = req.target.substr(0, qm);
  if (qm != std::string::npos) req.query_string = req.target.substr(qm + 1);

  std::size_t header_bytes = request_line->size() + 2;
  for (;;) {
    auto l = in.line(error, eof);
    if (!l) return parse_error{"read header: " + error};
    if (l->empty()) {
      if (eof) return parse_error{"read header: failed to fill whole buffer"};
      break;
    }
    header_bytes += l->size() + 2;
    if (header_bytes > max_header_bytes) return parse_error{"header section exceeds 8KB limit"};
    auto colon = l->find(':');
    if (colon == std::string::npos) continue;  // silently skipped, as Mesher does
    if (req.headers.size() >= max_headers) return parse_error{"too many headers (max 100)"};
    req.headers.emplace_back(l->substr(0, colon), trim(l->substr(colon + 1)));
  }

  std::size_t length = 0;
  for (const auto& [name, value] : req.headers) {
    if (name.size() == 14 && strncasecmp(name.c_str(), "content-length", 14) == 0) {
      std::size_t v = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      length = (ec == std::errc() && ptr == value.data() + value.size()) ? v : 0;
    }
  }
  // Mesher allocates the whole body before reading: ≥ 2^63 bytes is a caught `capacity overflow`
  // panic, anything the allocator cannot reserve aborts the process.
  if (length >= (std::size_t{1} << 63))
    return parse_error{"capacity overflow", parse_error::kind::capacity_overflow, length};
  if (length > max_lazy_body_bytes) return parse_error{"", parse_error::kind::allocation_failure, length};
  if (length > 0 && !in.exactly(length, req.body, error)) return parse_error{"read body: " + error};
  return req;
}

std::string serialize_response(const http_response& response) {
  std::string out =
      "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) + "\r\n";
  out += "Content-Type: application/json; charset=utf-8\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += response.body;
  return out;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bound_listener listen_ipv4(const std::string& host, unsigned short port) {
  bound_listener out;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    out.error = os_error(errno);
    return out;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    out.error = "invalid IPv4 address: " + host;
    ::close(fd);
    return out;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0) {
    out.error = os_error(errno);
    ::close(fd);
    return out;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  out.fd = fd;
  out.port = ntohs(addr.sin_port);
  return out;
}

}  // namespace meshwatch::twin

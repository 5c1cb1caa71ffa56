#include "config/address.hpp"

#include <charconv>

namespace meshwatch {
namespace {

struct host_port {
  std::string host;
  std::string_view port;  // empty when absent
  bool has_port = false;
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

// Splits `host[:port]` or `[v6][:port]` and checks the host's characters. Name resolution is
// left to run time; here we only catch what can never resolve.
parsed<host_port> split_host_port(std::string_view text) {
  using result = parsed<host_port>;
  host_port out;
  std::string_view rest;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return result::failure("missing ']' after IPv6 address");
    }
    const std::string_view v6 = text.substr(1, close - 1);
    if (v6.empty() || v6.find(':') == std::string_view::npos) {
      return result::failure("invalid IPv6 address '" + std::string{v6} + "'");
    }
    for (char c : v6) {
      if (!is_ipv6_char(c)) {
        return result::failure("invalid IPv6 address '" + std::string{v6} + "'");
      }
    }
    out.host = std::string{v6};
    rest = text.substr(close + 1);
  } else {
    const std::size_t colon = text.find(':');
    out.host = std::string{text.substr(0, colon)};
    rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
    if (out.host.empty()) {
      return result::failure("missing host");
    }
    if (out.host.size() > 253) {
      return result::failure("host name longer than 253 characters");
    }
    for (char c : out.host) {
      if (!is_name_char(c)) {
        return result::failure("invalid character '" + std::string(1, c) + "' in host '" + out.host + "'");
      }
    }
  }
  if (!rest.empty()) {
    if (rest[0] != ':') {
      return result::failure("unexpected '" + std::string{rest} + "' after host");
    }
    out.has_port = true;
    out.port = rest.substr(1);
  }
  return result::success(std::move(out));
}

parsed<std::uint16_t> parse_port(std::string_view text, unsigned min) {
  using result = parsed<std::uint16_t>;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return result::failure("port '" + std::string{text} + "' is not a number");
  }
  if (value < min || value > 65535) {
    return result::failure("port " + std::string{text} + " is out of range (" + std::to_string(min) +
                           "-65535)");
  }
  return result::success(static_cast<std::uint16_t>(value));
}

std::string join_host_port(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

parsed<base_url> parse_url(std::string_view text, std::string_view plain, std::string_view secure) {
  using result = parsed<base_url>;
  const std::size_t sep = text.find("://");
  const std::string_view scheme = sep == std::string_view::npos ? std::string_view{} : text.substr(0, sep);
  if (scheme != plain && scheme != secure) {
    return result::failure("must start with " + std::string{plain} + ":// or " + std::string{secure} + "://");
  }
  std::string_view authority = text.substr(sep + 3);
  const std::size_t path = authority.find_first_of("/?#");
  if (path != std::string_view::npos) {
    const std::string_view tail = authority.substr(path);
    if (tail != "/") {
      return result::failure("must not have a path, query or fragment ('" + std::string{tail} +
                             "'); probe paths are relative to it");
    }
    authority = authority.substr(0, path);
  }
  if (authority.find('@') != std::string_view::npos) {
    return result::failure("must not contain user info ('@')");
  }
  parsed<host_port> hp = split_host_port(authority);
  if (!hp) {
    return result::failure(std::move(hp.error));
  }
  base_url url;
  url.scheme = std::string{scheme};
  url.host = std::move(hp.value->host);
  url.port = scheme == secure ? 443 : 80;
  if (hp.value->has_port) {
    parsed<std::uint16_t> port = parse_port(hp.value->port, 1);
    if (!port) {
      return result::failure(std::move(port.error));
    }
    url.port = *port.value;
  }
  return result::success(std::move(url));
}

}  // namespace

std::string base_url::text() const { return scheme + "://" + join_host_port(host, port); }

parsed<base_url> parse_http_url(std::string_view text) { return parse_url(text, "http", "https"); }

parsed<base_url> parse_ws_url(std::string_view text) { return parse_url(text, "ws", "wss"); }

std::string listen_address::text() const { return join_host_port(host, port); }

parsed<listen_address> parse_listen_address(std::string_view text) {
  using result = parsed<listen_address>;
  parsed<host_port> hp = split_host_port(text);
  if (!hp) {
    return result::failure(std::move(hp.error));
  }
  if (!hp.value->has_port) {
    return result::failure("missing port (write host:port, e.g. 127.0.0.1:9847)");
  }
  parsed<std::uint16_t> port = parse_port(hp.value->port, 0);
  if (!port) {
    return result::failure(std::move(port.error));
  }
  return result::success(listen_address{std::move(hp.value->host), *port.value});
}

}  // namespace meshwatch

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/parsed.hpp"

namespace meshwatch {

/**
 * The root of a target's HTTP or WebSocket server: scheme, host and port only. Probe paths are
 * appended to it, so a path, query, fragment or user info in the config is rejected rather than
 * silently dropped.
 */
struct base_url {
  std::string scheme;  // http, https, ws or wss
  std::string host;    // a name, an IPv4 literal, or an IPv6 literal without brackets
  std::uint16_t port = 0;

  bool tls() const noexcept { return scheme == "https" || scheme == "wss"; }
  /** Normalised text, always with the port, e.g. `http://127.0.0.1:8080`, `ws://[::1]:8081`. */
  std::string text() const;

  bool operator==(const base_url&) const = default;
};

/** `http://` or `https://`; the port defaults to 80/443. */
parsed<base_url> parse_http_url(std::string_view text);

/** `ws://` or `wss://`; the port defaults to 80/443. */
parsed<base_url> parse_ws_url(std::string_view text);

/** The admin server's bind address. Port 0 asks the kernel for a free port (used by tests). */
struct listen_address {
  std::string host;  // IPv6 without brackets
  std::uint16_t port = 0;

  /** `host:port`, with brackets around IPv6. */
  std::string text() const;

  bool operator==(const listen_address&) const = default;
};

/** `host:port`, e.g. `127.0.0.1:9847`, `[::1]:9847`, `localhost:9847`; the port is required. */
parsed<listen_address> parse_listen_address(std::string_view text);

}  // namespace meshwatch

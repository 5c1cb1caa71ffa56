#pragma once
// Command line and environment of mesher-twin. Mesher's own variables keep Mesher's parsing
// (a non-integer port falls back to the default but is echoed raw); the rest is twin-only.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace meshwatch::twin {

enum class twin_mode { snapshot, fixed };

struct intervals {
  std::chrono::milliseconds load{5000};
  std::chrono::milliseconds health{10000};
  std::chrono::milliseconds alert{30000};
  std::chrono::milliseconds spike{300000};
  std::chrono::milliseconds retention{86400000};
  std::chrono::milliseconds rate_window{60000};  // only used in fixed mode (snapshot never resets)
};

struct options {
  twin_mode mode = twin_mode::snapshot;
  std::string http_port_raw = "8080";  // as printed in `HTTP server starting on :<raw>`
  unsigned short http_port = 8080;
  std::string ws_port_raw = "8081";
  unsigned short ws_port = 8081;
  std::string dsn = "postgres://mesh:mesh@localhost:5432/mesher";
  intervals timing;
  int rate_limit_max = 1000;
  std::string control_host = "127.0.0.1";
  std::optional<unsigned short> control_port;  // no control port unless asked for
  std::string ports_file;
};

/** Throws std::invalid_argument with a message for the user on bad flags or variables. */
options parse_options(const std::vector<std::string>& args, const std::vector<std::string>& env);

/** `load=200ms,health=1s` → overrides; throws std::invalid_argument. */
intervals parse_intervals(const std::string& spec, intervals base);

/** Mesher's `String.to_int` + default: nullopt when not an integer in 0..65535. */
std::optional<unsigned short> parse_port(const std::string& raw);

}  // namespace meshwatch::twin

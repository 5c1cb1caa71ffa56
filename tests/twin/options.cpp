#include "tests/twin/options.hpp"

#include <charconv>
#include <stdexcept>

namespace meshwatch::twin {
namespace {

std::optional<long long> to_int(const std::string& s) {
  long long v = 0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return v;
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  std::size_t unit_at = text.find_first_not_of("0123456789");
  if (unit_at == 0 || unit_at == std::string::npos) {
    throw std::invalid_argument("duration needs a unit (ms or s): '" + text + "'");
  }
  auto number = to_int(text.substr(0, unit_at));
  std::string unit = text.substr(unit_at);
  if (!number || *number <= 0 || *number > 86'400'000) {
    throw std::invalid_argument("bad duration: '" + text + "'");
  }
  if (unit == "ms") return std::chrono::milliseconds(*number);
  if (unit == "s") return std::chrono::seconds(*number);
  throw std::invalid_argument("unknown duration unit in '" + text + "' (use ms or s)");
}

std::string env_value(const std::vector<std::string>& env, const std::string& name, bool& found) {
  found = false;
  std::string value;
  for (const auto& entry : env) {
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=') {
      found = true;
      value = entry.substr(name.size() + 1);
    }
  }
  return value;
}

}  // namespace

std::optional<unsigned short> parse_port(const std::string& raw) {
  auto v = to_int(raw);
  if (!v || *v < 0 || *v > 65535) return std::nullopt;
  return static_cast<unsigned short>(*v);
}

intervals parse_intervals(const std::string& spec, intervals base) {
  std::size_t start = 0;
  while (start < spec.size()) {
    std::size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() : comma + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("MESHER_TWIN_INTERVALS: expected name=duration, got '" + item + "'");
    std::string name = item.substr(0, eq);
    auto value = parse_duration(item.substr(eq + 1));
    if (name == "load")
      base.load = value;
    else if (name == "health")
      base.health = value;
    else if (name == "alert")
      base.alert = value;
    else if (name == "spike")
      base.spike = value;
    else if (name == "retention")
      base.retention = value;
    else if (name == "rate_window")
      base.rate_window = value;
    else
      throw std::invalid_argument("MESHER_TWIN_INTERVALS: unknown name '" + name +
                                  "' (load, health, alert, spike, retention, rate_window)");
  }
  return base;
}

options parse_options(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  options o;
  bool found = false;
  if (auto raw = env_value(env, "MESHER_HTTP_PORT", found); found) {
    o.http_port_raw = raw;
    o.http_port = parse_port(raw).value_or(8080);
  }
  if (auto raw = env_value(env, "MESHER_WS_PORT", found); found) {
    o.ws_port_raw = raw;
    o.ws_port = parse_port(raw).value_or(8081);
  }
  if (auto dsn = env_value(env, "MESHER_TWIN_DSN", found); found && !dsn.empty()) o.dsn = dsn;
  if (auto spec = env_value(env, "MESHER_TWIN_INTERVALS", found); found)
    o.timing = parse_intervals(spec, o.timing);
  if (auto max = env_value(env, "MESHER_TWIN_RATE_LIMIT", found); found) {
    auto v = to_int(max);
    if (!v || *v < 1 || *v > 1'000'000'000)
      throw std::invalid_argument("MESHER_TWIN_RATE_LIMIT: positive integer expected");
    o.rate_limit_max = static_cast<int>(*v);
  }

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
      return args[++i];
    };
    if (a == "--mode") {
      std::string m = next();
      if (m == "snapshot")
        o.mode = twin_mode::snapshot;
      else if (m == "fixed")
        o.mode = twin_mode::fixed;
      else
        throw std::invalid_argument("--mode must be snapshot or fixed");
    } else if (a == "--control-listen") {
      std::string hp = next();
      auto colon = hp.rfind(':');
      auto port = colon == std::string::npos ? std::nullopt : parse_port(hp.substr(colon + 1));
      if (!port) throw std::invalid_argument("--control-listen expects HOST:PORT");
      o.control_host = hp.substr(0, colon);
      o.control_port = *port;
    } else if (a == "--ports-file") {
      o.ports_file = next();
    } else {
      throw std::invalid_argument(
          "unknown argument: " + a +
          " (usage: mesher-twin [--mode snapshot|fixed] [--control-listen HOST:PORT] [--ports-file PATH])");
    }
  }
  return o;
}

}  // namespace meshwatch::twin

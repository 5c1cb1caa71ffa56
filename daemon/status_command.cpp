#include "daemon/status_command.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdlib>
#include <iostream>

#include "config/address.hpp"
#include "probes/http_exchange.hpp"
#include "probes/json_body.hpp"

namespace meshwatch {
namespace asio = boost::asio;

namespace {

std::string field(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return {it->value.GetString(), it->value.GetStringLength()};
}

}  // namespace

std::string render_status_table(std::string_view status_json, bool& any_unhealthy) {
  any_unhealthy = false;
  auto body = json_body::parse(status_json);
  if (!body.ok() || !body.root().IsObject()) return "";
  auto probes = body.root().FindMember("probes");
  if (probes == body.root().MemberEnd() || !probes->value.IsArray()) return "";

  std::string out = fmt::format("{:<10} {:<32} {:<10} {:<8} {:>9}  {}\n", "STATE", "PROBE", "TARGET", "KIND",
                                "LAST_MS", "LAST RESULT");
  std::size_t counts[3] = {0, 0, 0};  // healthy-ish, unhealthy, other
  for (const auto& p : probes->value.GetArray()) {
    auto state = field(p, "state");
    std::string last_text = "not run yet";
    double last_ms = 0;
    if (auto last = p.FindMember("last"); last != p.MemberEnd() && last->value.IsObject()) {
      const auto& l = last->value;
      bool passed = l.HasMember("passed") && l["passed"].IsBool() && l["passed"].GetBool();
      if (l.HasMember("duration_seconds") && l["duration_seconds"].IsNumber()) {
        last_ms = l["duration_seconds"].GetDouble() * 1000;
      }
      last_text = passed ? "pass" : field(l, "reason") + ": " + field(l, "detail").substr(0, 80);
    }
    if (state == "unhealthy" || state == "suspended") {
      any_unhealthy = true;
      ++counts[1];
    } else if (state == "healthy" || state == "degraded") {
      ++counts[0];
    } else {
      ++counts[2];
    }
    out += fmt::format("{:<10} {:<32} {:<10} {:<8} {:>9.1f}  {}\n", state, field(p, "probe"),
                       field(p, "target"), field(p, "kind"), last_ms, last_text);
  }
  out += fmt::format("\n{} healthy, {} unhealthy or suspended, {} not yet decided\n", counts[0], counts[1],
                     counts[2]);
  return out;
}

int run_status(const std::string& admin_url) {
  auto url = parse_http_url(admin_url);
  if (!url) {
    std::cerr << "meshwatch status: " << url.error << '\n';
    return 2;
  }
  if (url.value->tls()) {
    std::cerr << "meshwatch status: https is not supported for the admin server\n";
    return 2;
  }
  asio::io_context io;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(url.value->host == "localhost" ? "127.0.0.1" : url.value->host, ec);
  if (ec) {
    std::cerr << "meshwatch status: the admin URL needs an IP address, not '" << url.value->host << "'\n";
    return 2;
  }
  http_exchange_request request;
  request.target = "/status";
  request.host_header = url.value->host + ":" + std::to_string(url.value->port);
  if (const char* token = std::getenv("MESHWATCH_ADMIN_TOKEN"); token != nullptr && *token != '\0') {
    request.headers.emplace_back("Authorization", std::string("Bearer ") + token);
  }
  http_exchange_limits limits;
  limits.timeout = std::chrono::seconds(5);
  limits.max_body_bytes = 16 * 1024 * 1024;
  auto future = asio::co_spawn(
      io, perform_http_exchange(asio::ip::tcp::endpoint(address, url.value->port), request, limits),
      asio::use_future);
  io.run();
  auto reply = future.get();
  if (reply.failure) {
    std::cerr << "meshwatch status: " << admin_url << ": " << reply.detail << '\n';
    return 2;
  }
  if (reply.status != 200) {
    std::cerr << "meshwatch status: " << admin_url << "/status answered " << reply.status << '\n';
    return 2;
  }
  bool any_unhealthy = false;
  auto table = render_status_table(reply.body, any_unhealthy);
  if (table.empty()) {
    std::cerr << "meshwatch status: malformed /status document\n";
    return 2;
  }
  std::cout << table;
  return any_unhealthy ? 1 : 0;
}

}  // namespace meshwatch

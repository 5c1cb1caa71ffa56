#include "daemon/target_resolver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

namespace meshwatch {
namespace {

probe_endpoint resolve(const base_url& url, const std::string& target_name) {
  if (url.tls()) {
    // Mesher serves plain HTTP/WS only (API.md §1.3); TLS would need a terminating proxy.
    throw std::runtime_error("target '" + target_name + "': " + url.text() +
                             ": TLS (https/wss) targets are not supported; Mesher serves plain HTTP/WS");
  }
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("target '" + target_name + "': cannot resolve '" + url.host +
                             "': " + (ec ? ec.message() : std::string("no addresses")));
  }
  // Prefer IPv4: Mesher listens on 0.0.0.0 only (API.md §1.3), so ::1 would be refused.
  auto chosen = results.begin()->endpoint();
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) {
      chosen = entry.endpoint();
      break;
    }
  }
  bool ipv6 = url.host.find(':') != std::string::npos;
  std::string host_header = (ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
  return {chosen, host_header};
}

}  // namespace

probe_target resolve_probe_target(const target_config& target) {
  probe_target out;
  out.name = target.name;
  out.http = resolve(target.http, target.name);
  if (target.ws) {
    out.ws = resolve(*target.ws, target.name);
  }
  return out;
}

}  // namespace meshwatch

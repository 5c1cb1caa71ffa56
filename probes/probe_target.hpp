#pragma once
// Where a probe connects: a target's endpoints, resolved once at start (Asio's resolver
// cannot be cancelled, so probes never resolve names themselves).
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <string>

namespace meshwatch {

struct probe_endpoint {
  boost::asio::ip::tcp::endpoint address;
  std::string host_header;  // host:port as configured, sent as Host
};

struct probe_target {
  std::string name;
  probe_endpoint http;
  std::optional<probe_endpoint> ws;
};

}  // namespace meshwatch

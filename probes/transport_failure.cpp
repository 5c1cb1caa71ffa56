#include "probes/transport_failure.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

namespace meshwatch {

std::optional<failure_reason> common_transport_failure(const boost::system::error_code& ec) {
  // The stream's expiry (the probe's deadline) surfaces as beast::error::timeout.
  if (ec == boost::beast::error::timeout) return failure_reason::timeout;
  if (ec == boost::asio::error::connection_refused) return failure_reason::connect_refused;
  return std::nullopt;
}

}  // namespace meshwatch

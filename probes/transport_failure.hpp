#pragma once
// The transport errors every probe kind shares (deadline passed, connection refused), mapped
// to the closed failure reasons; each kind adds its own (body limits, WebSocket closes).
#include <boost/system/error_code.hpp>
#include <optional>

#include "probes/failure_reason.hpp"

namespace meshwatch {

/** timeout or connect_refused for those errors; nullopt for everything else. */
std::optional<failure_reason> common_transport_failure(const boost::system::error_code& ec);

}  // namespace meshwatch

#pragma once
// Turns a configured target into the endpoints probes connect to. Names are resolved once,
// here, at start-up (Asio's resolver cannot be cancelled, so probes never resolve).
#include <string>

#include "config/target_config.hpp"
#include "probes/probe_target.hpp"

namespace meshwatch {

/** Throws std::runtime_error with a message a sysadmin can act on (unresolvable host, TLS). */
probe_target resolve_probe_target(const target_config& target);

}  // namespace meshwatch

#pragma once
// An http probe with `parallel: N`: N identical requests at once, each on its own connection
// (Mesher serves one request per connection). FAILURES.md D7: four concurrent dashboard
// requests reproduced F-09, a crash that sequential requests never triggered.
#include <boost/asio/awaitable.hpp>
#include <cstddef>

#include "config/probe_config.hpp"
#include "probes/http_probe.hpp"
#include "probes/probe_result.hpp"
#include "probes/probe_target.hpp"

namespace meshwatch {

/**
 * Runs probe.parallel copies of the probe's request concurrently, each under the probe's
 * timeout, so the whole run ends within one timeout. The run passes only if every request
 * passes; its duration and phases are the slowest request's; on failure the reason is the one
 * of the request that failed first, and the detail says how many failed ("2 of 4 failed; …").
 */
boost::asio::awaitable<probe_result> run_parallel_http_probe(probe_target target, probe_config probe,
                                                             template_vars vars,
                                                             std::size_t body_cap = default_body_cap);

}  // namespace meshwatch

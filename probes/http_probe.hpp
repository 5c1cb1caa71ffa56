#pragma once
// The `http` probe kind, and the HTTP step that pipelines reuse: render the request from
// templates, perform the exchange, judge the response, fingerprint a passing JSON body.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "config/probe_config.hpp"
#include "probes/check_result.hpp"
#include "probes/http_exchange.hpp"
#include "probes/probe_result.hpp"
#include "probes/probe_target.hpp"

namespace meshwatch {

class json_body;

/** Response bodies above this are a `too_large` failure (DESIGN.md §4: default 1 MiB). */
inline constexpr std::size_t default_body_cap = 1024 * 1024;

struct http_step_outcome {
  check_result check;
  http_exchange_result exchange;
  std::shared_ptr<const json_body> body;   // parsed when the body looked like JSON
  std::optional<shape_fingerprint> shape;  // fingerprint of a passing JSON body
};

/** One request/response judged against `expect`, under `timeout`. Never throws for outcomes. */
boost::asio::awaitable<http_step_outcome> perform_http_step(probe_endpoint endpoint, http_request request,
                                                            expectation expect, template_vars vars,
                                                            std::chrono::milliseconds timeout,
                                                            std::size_t body_cap);

/** Runs an `http` probe (probe.kind holds an http_request). */
boost::asio::awaitable<probe_result> run_http_probe(probe_target target, probe_config probe,
                                                    template_vars vars,
                                                    std::size_t body_cap = default_body_cap);

/** A result for an http probe with its labels filled and its start times set to now. */
probe_result begin_http_result(const probe_target& target, const probe_config& probe);

/** Copies the exchange's phases into result.phases (connect, write, first_byte, transfer). */
void record_http_phases(const http_exchange_result& exchange, probe_result& result);

}  // namespace meshwatch

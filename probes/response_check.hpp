#pragma once
// Judges one HTTP response against a probe's expectation. Pure: no I/O, no clock.

#include <chrono>
#include <string_view>

#include "config/probe_config.hpp"
#include "config/text_template.hpp"
#include "probes/check_result.hpp"

namespace meshwatch {

class json_body;

/** What the HTTP probe saw. The body is already capped upstream; `body_truncated` says it hit the cap. */
struct http_observation {
  int status = 0;
  std::string_view body;
  bool body_truncated = false;
  std::chrono::nanoseconds latency{};
};

/**
 * Checks, in order: status (`http_status`; empty list ⇒ any 2xx), the body cap (`too_large`),
 * `body_prefix` (`body_mismatch`), then the JSON assertions (`invalid_json`, then see
 * check_json). A passing response slower than `degraded_after` is degraded.
 *
 * `parsed` may carry the body already parsed (the caller wants it for captures and the shape
 * fingerprint too); when null and JSON assertions exist, the body is parsed here.
 */
check_result check_http_response(const expectation& expect, const http_observation& seen,
                                 const template_vars& vars, const json_body* parsed = nullptr);

/** True when `status` is allowed by `expect.status` (empty ⇒ 200–299). */
bool status_allowed(const expectation& expect, int status);

}  // namespace meshwatch

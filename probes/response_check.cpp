#include "probes/response_check.hpp"

#include <algorithm>

#include "probes/json_body.hpp"
#include "probes/json_check.hpp"
#include "probes/json_text.hpp"

namespace meshwatch {
namespace {

std::string allowed_statuses(const expectation& expect) {
  if (expect.status.empty()) {
    return "2xx";
  }
  std::string out;
  for (int code : expect.status) {
    out += (out.empty() ? "" : "|") + std::to_string(code);
  }
  return out;
}

check_result check_body(const expectation& expect, const http_observation& seen, const template_vars& vars,
                        const json_body* parsed) {
  if (expect.body_prefix) {
    std::optional<std::string> prefix = expect.body_prefix->render(vars);
    if (!prefix) {
      return check_result::fail(
          failure_reason::internal,
          "body_prefix " + quote_for_detail(expect.body_prefix->source()) + " has unbound variables");
    }
    if (!seen.body.starts_with(*prefix)) {
      return check_result::fail(
          failure_reason::body_mismatch,
          "body " + quote_for_detail(seen.body) + " does not start with " + quote_for_detail(*prefix));
    }
  }
  if (expect.json.empty()) {
    return check_result::pass();
  }
  std::optional<json_body> own;
  if (parsed == nullptr) {
    own.emplace(json_body::parse(seen.body));
    parsed = &*own;
  }
  if (!parsed->ok()) {
    return check_result::fail(failure_reason::invalid_json,
                              "invalid JSON (" + parsed->error() + "): " + quote_for_detail(seen.body));
  }
  return check_json(expect.json, parsed->root(), vars);
}

}  // namespace

bool status_allowed(const expectation& expect, int status) {
  if (expect.status.empty()) {
    return status >= 200 && status <= 299;
  }
  return std::find(expect.status.begin(), expect.status.end(), status) != expect.status.end();
}

check_result check_http_response(const expectation& expect, const http_observation& seen,
                                 const template_vars& vars, const json_body* parsed) {
  if (!status_allowed(expect, seen.status)) {
    // The start of the body says why (Mesher's `PGERR …`, `{"error":"rate limited"}`).
    return check_result::fail(failure_reason::http_status, "status " + std::to_string(seen.status) +
                                                               " (expected " + allowed_statuses(expect) +
                                                               "): " + quote_for_detail(seen.body));
  }
  // An over-cap body is never judged on its first megabyte: the probe fails on size alone.
  if (seen.body_truncated) {
    return check_result::fail(failure_reason::too_large, "body exceeds the size cap (cut at " +
                                                             std::to_string(seen.body.size()) + " bytes)");
  }
  check_result result = check_body(expect, seen, vars, parsed);
  if (result.passed && expect.degraded_after && seen.latency > *expect.degraded_after) {
    result.degraded = true;
    result.detail =
        "latency " +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(seen.latency).count()) +
        "ms over budget " + std::to_string(expect.degraded_after->count()) + "ms";
  }
  return result;
}

}  // namespace meshwatch

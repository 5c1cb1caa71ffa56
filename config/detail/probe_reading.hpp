#pragma once

// Private to the loader: readers shared by probes and pipeline steps.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "config/detail/sections.hpp"

namespace meshwatch::detail {

/** The variables a template may use at this point: fixtures, then earlier steps' captures. */
struct probe_scope {
  std::vector<std::string> variables;
  bool knows(std::string_view name) const;
};

/** A probe string; unknown variables and bad `${...}` are errors here, not at run time. */
std::optional<text_template> read_template(reader& r, const located& at, const probe_scope& scope);

/** A request path: a template starting with '/', no spaces or '#'. */
std::optional<text_template> read_path(reader& r, const located& at, const probe_scope& scope);

/** Header name → template; names are kept exactly as written (Mesher wants lowercase). */
header_list read_headers(reader& r, const located& at, const probe_scope& scope);

/** `method`, `path`, `headers`, `body` — an http probe or an http step. */
http_request read_http_request(reader& r, const located& at, const probe_scope& scope);

/**
 * `expect:`; `http` false allows only degraded_after (nothing else applies to ws/pg/pipeline),
 * which must be shorter than `timeout` or it could never fire.
 */
expectation read_expect(reader& r, const located& at, bool http, const probe_scope& scope,
                        std::chrono::milliseconds timeout);

/** A JSON pointer → matcher map (expect.json, ws.expect_reply, ws_wait.match). */
std::vector<json_expectation> read_json_map(reader& r, const located& at, const probe_scope& scope);

/** RFC 6901: "" or `/`-separated tokens where `~` is followed by 0 or 1. */
bool is_json_pointer(std::string_view s);

/** What a pipeline requires from its target. */
struct pipeline_needs {
  bool ws = false;
  bool stream = false;  // ws_wait: pushes are matched on the target's stream subscriber
  bool database = false;
};

pipeline_probe read_pipeline(reader& r, const located& at, const probe_scope& fixtures,
                             std::chrono::milliseconds probe_timeout, pipeline_needs& needs);

}  // namespace meshwatch::detail

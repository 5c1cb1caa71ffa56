#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/text_template.hpp"

namespace meshwatch {

enum class json_type { string, number, boolean, object, array, null };

/** The value is a non-empty string, array or object. */
struct json_non_empty {
  bool operator==(const json_non_empty&) const = default;
};
/** The value is an array whose elements all have `element` type. */
struct json_array_of {
  json_type element = json_type::object;
  bool operator==(const json_array_of&) const = default;
};
/** The value equals a literal (a JSON null is written as the `null` type). */
struct json_equals {
  std::variant<bool, double, text_template> value;
  bool operator==(const json_equals&) const = default;
};
using json_matcher = std::variant<json_type, json_non_empty, json_array_of, json_equals>;

/** One assertion on a JSON document: RFC 6901 pointer → matcher. */
struct json_expectation {
  std::string pointer;  // "" is the whole document
  json_matcher matcher;
  bool operator==(const json_expectation&) const = default;
};

/** What a response must look like. Only http probes and http steps use status/json/body_prefix. */
struct expectation {
  std::vector<int> status;  // allowed codes; empty means any 2xx
  std::vector<json_expectation> json;
  std::optional<text_template> body_prefix;  // for Mesher's non-JSON bodies (`Not Found`, PGERR)
  /** Slower than this but otherwise passing ⇒ degraded. */
  std::optional<std::chrono::milliseconds> degraded_after;

  bool operator==(const expectation&) const = default;
};

using header_list = std::vector<std::pair<std::string, text_template>>;  // in config order

struct http_request {
  std::string method = "GET";
  text_template path;  // its source() is the `route` label
  header_list headers;
  std::optional<text_template> body;

  bool operator==(const http_request&) const = default;
};

struct ws_probe {
  text_template path;
  header_list headers;
  std::optional<text_template> send;
  std::vector<json_expectation> expect_reply;  // on the first text frame after `send`
  std::optional<int> expect_close;             // e.g. 1008 for /ingest without auth
  /** After the handshake (and the reply, if any): send a Ping and require its Pong in time. */
  bool expect_pong = false;

  bool operator==(const ws_probe&) const = default;
};

/** The closed set of SQL checks; the SQL lives in code, not in config. */
enum class pg_check { reachable, partition_horizon, connections, long_statements };

struct pg_probe {
  pg_check check = pg_check::reachable;
  int min_days = 1;         // partition_horizon: partitions must exist this many days ahead
  int max_connections = 8;  // connections: Mesher's pool is capped at 10
  std::chrono::milliseconds longer_than{std::chrono::seconds{25}};  // long_statements

  bool operator==(const pg_probe&) const = default;
};

/** A read-only query polled until it returns at least min_rows rows (or the step times out). */
struct pg_query_step {
  std::string sql;  // never templated: values go through params, so no injection
  std::vector<text_template> params;
  int min_rows = 1;

  bool operator==(const pg_query_step&) const = default;
};

/** Waits for a push on the target's long-lived stream subscriber matching every expectation. */
struct ws_wait_step {
  std::vector<json_expectation> match;
  bool operator==(const ws_wait_step&) const = default;
};

struct pipeline_step {
  std::string name;  // the `stage` label
  std::variant<http_request, pg_query_step, ws_wait_step> action;
  expectation expect;  // http steps only (degraded_after: any step)
  /** variable → JSON pointer (http, ws_wait) or column name (pg), read from the result. */
  std::vector<std::pair<std::string, std::string>> capture;
  /** How long a pg step polls or a ws_wait step waits; defaults to the probe timeout. */
  std::optional<std::chrono::milliseconds> within;

  bool operator==(const pipeline_step&) const = default;
};

struct pipeline_probe {
  std::vector<pipeline_step> steps;
  bool operator==(const pipeline_probe&) const = default;
};

using probe_kind = std::variant<http_request, ws_probe, pg_probe, pipeline_probe>;

/** When a probe's learned latency baseline calls it regressed (DESIGN.md §8). */
struct regression_config {
  /** Current median / baseline median must exceed this (> 1)… */
  double factor = 2.0;
  /** …and the medians must differ by more than this, so 1 ms → 3 ms on loopback is noise. */
  std::chrono::milliseconds min_increase{20};
  /** Consecutive evaluations over (or back under) the factor before the state flips. */
  int consecutive = 3;

  bool operator==(const regression_config&) const = default;
};

/** The most concurrent requests one `parallel:` http run may send. */
inline constexpr int max_parallel_requests = 16;

struct probe_config {
  std::string name;
  std::optional<std::string> target;  // empty: the probe runs against every target
  bool enabled = true;
  /** Effective values: the probe's own, else `defaults`. timeout <= interval always holds. */
  std::chrono::milliseconds interval{};
  std::chrono::milliseconds timeout{};
  probe_kind kind;
  expectation expect;
  std::vector<std::string> tags;  // free-form, e.g. mutating, destructive, budget, risky
  /** http only: identical requests sent concurrently per run, each on its own connection. */
  int parallel = 1;
  /** Effective: the probe's own keys over `defaults.regression`. */
  regression_config regression;

  bool operator==(const probe_config&) const = default;
};

std::string_view to_string(json_type t);
std::string_view to_string(pg_check c);

}  // namespace meshwatch

#pragma once
// The `pg` probe kind (DESIGN.md §4, FAILURES.md D12): four fixed SQL checks on Mesher's
// database, run on the DB thread. The SQL lives in code; config only picks the check and
// its threshold (config/probe_config.hpp `pg_probe`).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "config/probe_config.hpp"
#include "probes/failure_reason.hpp"

namespace meshwatch {

class db_worker;

/**
 * passed: the check held. reason: set exactly when !passed — db_error (unreachable, SQL
 * error, or a threshold broken: the DB is in a state that breaks Mesher) or timeout.
 * value: what the check measured, when it could measure it:
 *   reachable → server_version_num (e.g. 150018), partition_horizon → days ahead (-1: no
 *   partition for today), connections → sessions of the user, long_statements → count.
 */
struct pg_check_result {
  bool passed = false;
  std::optional<failure_reason> reason;
  std::string detail;  // one short line for logs and /status
  std::optional<double> value;
  std::chrono::milliseconds elapsed{};
};

struct pg_check_context {
  /** Whose sessions `connections` counts; empty: the DSN's own user (current_user). */
  std::string mesher_user;
};

/** Runs one check with an overall `timeout`; never throws for DB outcomes. */
boost::asio::awaitable<pg_check_result> run_pg_check(db_worker& worker, pg_probe probe,
                                                     std::chrono::milliseconds timeout,
                                                     pg_check_context context = {});

/**
 * PostgreSQL's `ssl` setting ("on"/"off", FAILURES.md D13/F-32: with `on` and a self-signed
 * certificate Mesher's driver fails at start); nullopt when it could not be read in `timeout`.
 */
boost::asio::awaitable<std::optional<std::string>> read_pg_ssl_setting(db_worker& worker,
                                                                       std::chrono::milliseconds timeout);

}  // namespace meshwatch

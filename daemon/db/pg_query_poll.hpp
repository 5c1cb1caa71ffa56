#pragma once
// A pipeline `pg_query_step` (config/probe_config.hpp): a read-only query polled until it
// returns enough rows — "the event the probe posted is now in PostgreSQL" — or the step's
// time runs out (not_persisted). Each poll is its own short job on the DB thread, with the
// wait between polls on the loop, so other DB work interleaves.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "config/probe_config.hpp"
#include "config/text_template.hpp"
#include "daemon/db/db_outcome.hpp"

namespace meshwatch {

class db_worker;

struct pg_poll_options {
  std::chrono::milliseconds first_interval{50};  // doubles after each empty poll …
  std::chrono::milliseconds max_interval{250};   // … up to this
  std::size_t max_rows = 10000;                  // fetched per poll (the query is wrapped in LIMIT)
  std::size_t max_value_bytes = 4096;            // per captured column value
  std::size_t max_columns = 64;
};

struct pg_poll_result {
  std::size_t rows = 0;  // rows returned by the successful poll (at least min_rows)
  /** The first row, column name → text (NULL as ""), for the step's captures. */
  template_vars first_row;
  std::chrono::milliseconds elapsed{};  // step start → the poll that found the rows answered
  int polls = 0;
};

/**
 * Renders `step.params` with `vars` (an unbound variable fails with `internal`), then polls.
 * Failures: not_persisted (polls answered, too few rows until `within` ran out), timeout
 * (no poll answered in time), db_error (an SQL error, at once; or no connection to the
 * database until `within` ran out — a lost or refused connection is retried in the window).
 */
boost::asio::awaitable<db_outcome<pg_poll_result>> poll_pg_query(db_worker& worker, pg_query_step step,
                                                                 template_vars vars,
                                                                 std::chrono::milliseconds within,
                                                                 pg_poll_options options = {});

/** The step's SQL wrapped so that one poll fetches at most `limit` rows. */
std::string limited_poll_sql(std::string_view sql, std::size_t limit);

}  // namespace meshwatch

#include "daemon/db/pg_query_poll.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <pqxx/connection>
#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/transaction>
#include <vector>

#include "daemon/db/db_worker.hpp"

namespace meshwatch {
namespace {

using clock_type = std::chrono::steady_clock;

struct poll_answer {
  std::size_t rows = 0;
  template_vars first_row;
};

std::string truncate_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return text;
  }
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  text.resize(cut);
  return text;
}

poll_answer poll_once(pqxx::connection& connection, const std::string& sql,
                      const std::vector<std::string>& params, const pg_poll_options& options) {
  // READ ONLY: a step's SQL comes from config and must never change Mesher's data.
  pqxx::read_transaction tx{connection};
  const pqxx::result result = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  poll_answer answer;
  answer.rows = result.size();
  if (!result.empty()) {
    const auto columns =
        std::min<std::size_t>(static_cast<std::size_t>(result.columns()), options.max_columns);
    for (std::size_t i = 0; i < columns; ++i) {
      const auto column = static_cast<pqxx::row::size_type>(i);
      const pqxx::field field = result[0][column];
      std::string text =
          field.is_null() ? std::string() : truncate_utf8(field.c_str(), options.max_value_bytes);
      answer.first_row.emplace(result.column_name(column), std::move(text));
    }
  }
  tx.commit();
  return answer;
}

db_failure failure(failure_reason reason, std::string message) {
  return db_failure{reason, std::move(message), {}};
}

// A connection that is down or was lost (no SQLSTATE from the server, class 08, or the server
// shutting down, 57P0x) can be back within the step's window; an SQL error will not be.
bool transient(const db_failure& f) {
  return f.reason == failure_reason::db_error &&
         (f.sqlstate.empty() || f.sqlstate.starts_with("08") || f.sqlstate.starts_with("57P"));
}

}  // namespace

std::string limited_poll_sql(std::string_view sql, std::size_t limit) {
  // A trailing `;` would end the subquery early; everything else is the user's SQL verbatim.
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n' ||
                          sql.back() == '\t' || sql.back() == '\r')) {
    sql.remove_suffix(1);
  }
  return "SELECT * FROM (" + std::string(sql) + "\n) AS meshwatch_poll LIMIT " + std::to_string(limit);
}

boost::asio::awaitable<db_outcome<pg_poll_result>> poll_pg_query(db_worker& worker, pg_query_step step,
                                                                 template_vars vars,
                                                                 std::chrono::milliseconds within,
                                                                 pg_poll_options options) {
  const auto started = clock_type::now();
  const auto deadline = started + within;

  std::vector<std::string> params;
  params.reserve(step.params.size());
  for (const text_template& param : step.params) {
    std::optional<std::string> rendered = param.render(vars);
    if (!rendered) {
      std::string missing;
      for (const std::string& name : param.variables()) {
        if (!vars.contains(name)) {
          missing = name;
          break;
        }
      }
      co_return db_outcome<pg_poll_result>::failure(
          failure(failure_reason::internal, "unbound variable ${" + missing + "} in pg step params"));
    }
    params.push_back(std::move(*rendered));
  }

  const std::size_t min_rows = static_cast<std::size_t>(std::max(step.min_rows, 0));
  const std::size_t limit = std::clamp<std::size_t>(min_rows, 1, std::max<std::size_t>(1, options.max_rows));
  const std::string sql = limited_poll_sql(step.sql, limit);

  boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
  auto interval = options.first_interval;
  int polls = 0;
  std::optional<std::size_t> last_rows;  // rows of the last answered poll
  // Set while the latest poll failed for want of a connection. Mesher may well be serving
  // again before the DB thread has reconnected (after an outage, or a restart of PostgreSQL):
  // giving up at once would abort a pipeline half-way, after its HTTP step changed synthetic
  // rows, and leave them for the next run to trip over.
  std::optional<db_failure> unreachable;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) {
      break;
    }
    std::function<poll_answer(pqxx::connection&)> job = [sql, params, options](pqxx::connection& c) {
      return poll_once(c, sql, params, options);
    };
    db_outcome<poll_answer> answer = co_await worker.run<poll_answer>(std::move(job), left);
    ++polls;
    if (!answer && transient(answer.error())) {
      unreachable = answer.error();
    } else if (!answer) {
      if (answer.error().reason != failure_reason::timeout) {
        co_return db_outcome<pg_poll_result>::failure(answer.error());
      }
      break;  // the poll itself ran out of time: the window is over
    } else {
      unreachable.reset();
      last_rows = answer.value().rows;
    }
    if (answer && answer.value().rows >= min_rows) {
      pg_poll_result result;
      result.rows = answer.value().rows;
      result.first_row = std::move(answer.value().first_row);
      result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started);
      result.polls = polls;
      co_return db_outcome<pg_poll_result>::success(std::move(result));
    }
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now());
    if (remaining.count() <= 0) {
      break;
    }
    pause.expires_after(std::min(interval, remaining));
    co_await pause.async_wait(boost::asio::use_awaitable);
    interval = std::min(interval * 2, options.max_interval);
  }

  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started);
  if (unreachable) {
    unreachable->message +=
        " (" + std::to_string(polls) + " polls in " + std::to_string(elapsed.count()) + " ms)";
    co_return db_outcome<pg_poll_result>::failure(std::move(*unreachable));
  }
  if (!last_rows) {
    co_return db_outcome<pg_poll_result>::failure(failure(
        failure_reason::timeout, "no poll answered within " + std::to_string(within.count()) + " ms"));
  }
  co_return db_outcome<pg_poll_result>::failure(
      failure(failure_reason::not_persisted, std::to_string(*last_rows) + " of " + std::to_string(min_rows) +
                                                 " rows after " + std::to_string(elapsed.count()) + " ms (" +
                                                 std::to_string(polls) + " polls)"));
}

}  // namespace meshwatch

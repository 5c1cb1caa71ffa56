#include "daemon/db/pg_checks.hpp"

#include <fmt/format.h>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <vector>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/partition_horizon.hpp"

namespace meshwatch {
namespace {

// What the DB thread measured; the verdict is made on the loop from it.
struct measurement {
  double value = 0;
  std::string detail;
  bool passed = false;
};

measurement check_reachable(pqxx::connection& connection) {
  pqxx::nontransaction tx{connection};
  const pqxx::row row =
      tx.exec1("SELECT current_setting('server_version_num')::int, current_setting('server_version')");
  measurement out;
  out.value = row[0].as<int>();
  out.detail = "PostgreSQL " + row[1].as<std::string>();
  out.passed = true;
  return out;
}

measurement check_partition_horizon(pqxx::connection& connection, int min_days) {
  pqxx::nontransaction tx{connection};
  // The DB's own date, not ours: Mesher names partitions from PostgreSQL's clock and zone.
  const pqxx::row today_row =
      tx.exec1("SELECT to_char(current_date, 'YYYYMMDD'), to_regclass('events') IS NOT NULL");
  measurement out;
  if (!today_row[1].as<bool>()) {
    out.value = -1;
    out.detail = "table events does not exist (migrations not applied?)";
    return out;
  }
  const std::optional<std::chrono::sys_days> today = parse_yyyymmdd(today_row[0].as<std::string>());
  if (!today) {
    out.value = -1;
    out.detail = "unexpected current_date from the server: " + today_row[0].as<std::string>();
    return out;
  }
  const pqxx::result children = tx.exec(
      "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = to_regclass('events') AND c.relname ~ '^events_[0-9]{8}$' "
      "ORDER BY 1 DESC LIMIT 1000");
  std::vector<std::string> names;
  names.reserve(children.size());
  for (const pqxx::row& row : children) {
    names.push_back(row[0].as<std::string>());
  }
  const int horizon = partition_horizon_days(*today, names);
  out.value = horizon;
  out.passed = horizon >= min_days;
  if (horizon < 0) {
    out.detail =
        fmt::format("no partition for today ({}): event inserts fail now", events_partition_name(*today));
  } else {
    const auto last = *today + std::chrono::days{horizon};
    const auto missing = last + std::chrono::days{1};
    out.detail = fmt::format("partitions through {} ({} days ahead, need {}); next missing: {}",
                             events_partition_name(last), horizon, min_days, events_partition_name(missing));
  }
  return out;
}

measurement check_connections(pqxx::connection& connection, const std::string& user, int max_connections) {
  pqxx::nontransaction tx{connection};
  // Our own session is excluded: it is not Mesher's pool even when it uses Mesher's role.
  const pqxx::row row = tx.exec_params1(
      "SELECT u, (SELECT count(*) FROM pg_stat_activity "
      "WHERE usename = u AND datname = current_database() AND pid <> pg_backend_pid()) "
      "FROM (SELECT coalesce(nullif($1::text, ''), current_user::text) AS u) who",
      user);
  measurement out;
  const auto count = row[1].as<long long>();
  out.value = static_cast<double>(count);
  out.passed = count <= max_connections;
  out.detail =
      fmt::format("{} sessions of user {} (max {})", count, row[0].as<std::string>(), max_connections);
  return out;
}

measurement check_long_statements(pqxx::connection& connection, std::chrono::milliseconds longer_than) {
  pqxx::nontransaction tx{connection};
  const pqxx::result rows = tx.exec_params(
      "SELECT pid, coalesce(usename::text, ''), "
      "extract(epoch FROM clock_timestamp() - query_start)::float8, "
      "left(regexp_replace(coalesce(query, ''), '\\s+', ' ', 'g'), 60), count(*) OVER () "
      "FROM pg_stat_activity "
      "WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
      "AND datname = current_database() "
      "AND query_start < clock_timestamp() - $1::bigint * interval '1 millisecond' "
      "ORDER BY query_start LIMIT 5",
      static_cast<long long>(longer_than.count()));
  measurement out;
  if (rows.empty()) {
    out.passed = true;
    out.detail = fmt::format("no statement running longer than {} ms", longer_than.count());
    return out;
  }
  const pqxx::row& longest = rows[0];
  out.value = static_cast<double>(longest[4].as<long long>());
  out.detail =
      fmt::format("{} statements running longer than {} ms; longest: pid {} ({}) {:.1f} s: {}",
                  longest[4].as<long long>(), longer_than.count(), longest[0].as<long long>(),
                  longest[1].as<std::string>(), longest[2].as<double>(), longest[3].as<std::string>());
  return out;
}

}  // namespace

boost::asio::awaitable<pg_check_result> run_pg_check(db_worker& worker, pg_probe probe,
                                                     std::chrono::milliseconds timeout,
                                                     pg_check_context context) {
  const auto started = std::chrono::steady_clock::now();
  std::function<measurement(pqxx::connection&)> job = [probe,
                                                       user = context.mesher_user](pqxx::connection& c) {
    switch (probe.check) {
      case pg_check::reachable: return check_reachable(c);
      case pg_check::partition_horizon: return check_partition_horizon(c, probe.min_days);
      case pg_check::connections: return check_connections(c, user, probe.max_connections);
      case pg_check::long_statements: return check_long_statements(c, probe.longer_than);
    }
    return measurement{};
  };
  db_outcome<measurement> outcome = co_await worker.run<measurement>(std::move(job), timeout);

  pg_check_result result;
  result.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!outcome) {
    result.reason = outcome.error().reason;
    result.detail = outcome.error().message;
    co_return result;
  }
  measurement& m = outcome.value();
  result.passed = m.passed;
  result.value = m.value;
  result.detail = std::move(m.detail);
  if (!m.passed) {
    result.reason = failure_reason::db_error;
  }
  co_return result;
}

boost::asio::awaitable<std::optional<std::string>> read_pg_ssl_setting(db_worker& worker,
                                                                       std::chrono::milliseconds timeout) {
  std::function<std::string(pqxx::connection&)> job = [](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    // Cut: a setting is a word, but nothing from the server reaches /status unbounded.
    return tx.exec1("SHOW ssl")[0].as<std::string>().substr(0, 16);
  };
  auto outcome = co_await worker.run<std::string>(std::move(job), timeout);
  if (!outcome) {
    co_return std::nullopt;
  }
  co_return outcome.value();
}

}  // namespace meshwatch

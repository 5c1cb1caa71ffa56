// Pipeline pg steps: a row that appears later is found, a row that never appears is
// not_persisted at the deadline, and other DB jobs interleave with the polling.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/fixture_seeder.hpp"
#include "daemon/db/pg_query_poll.hpp"
#include "tests/integration/db/db_test_support.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using db_test::run_sync;
using clock_type = std::chrono::steady_clock;

pg_query_step event_by_message() {
  pg_query_step step;
  step.sql = "SELECT id::text AS event_id, message FROM events WHERE project_id = $1::uuid AND message = $2;";
  step.params = {text_template::parse("${project_id}", {}).value.value(),
                 text_template::parse("${marker}", {}).value.value()};
  step.min_rows = 1;
  return step;
}

// Inserts the marker event through a second worker (its own connection) after `delay`.
boost::asio::awaitable<bool> insert_later(db_worker& inserter, fixtures_config fixtures, std::string marker,
                                          std::chrono::milliseconds delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  co_await timer.async_wait(boost::asio::use_awaitable);
  std::function<bool(pqxx::connection&)> job = [fixtures, marker](pqxx::connection& c) {
    pqxx::work tx{c};
    tx.exec_params(
        "INSERT INTO events (project_id, issue_id, level, message, fingerprint) "
        "VALUES ($1::uuid, $2::uuid, 'info', $3, 'synthetic:ingest')",
        fixtures.project_id, fixtures.issue_a_id, marker);
    tx.commit();
    return true;
  };
  db_outcome<bool> done = co_await inserter.run<bool>(std::move(job), 5s);
  co_return done.ok();
}

class pg_query_poll_test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(run_sync(io_, seeder_.seed(10s)).ok()); }
  const std::string& dsn() { return db_test::shared_mesher_db().database.dsn(); }
  template_vars vars(const std::string& marker) {
    template_vars v = fixtures_.variables();
    v["marker"] = marker;
    return v;
  }

  boost::asio::io_context io_;
  fixtures_config fixtures_;
  db_worker worker_{db_test::config_for(dsn())};
  db_worker inserter_{db_test::config_for(dsn())};
  fixture_seeder seeder_{worker_, fixtures_};
};

TEST_F(pg_query_poll_test, finds_a_row_inserted_later) {
  const std::string marker = "synthetic poll marker one";
  std::optional<bool> inserted;
  boost::asio::co_spawn(io_, insert_later(inserter_, fixtures_, marker, 200ms),
                        [&](std::exception_ptr, bool ok) { inserted = ok; });
  db_outcome<pg_poll_result> found =
      run_sync(io_, poll_pg_query(worker_, event_by_message(), vars(marker), 3s));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(inserted, true);
  EXPECT_EQ(found.value().rows, 1u);
  EXPECT_EQ(found.value().first_row["message"], marker);
  EXPECT_EQ(found.value().first_row["event_id"].size(), 36u);
  EXPECT_GE(found.value().elapsed, 150ms);
  EXPECT_LT(found.value().elapsed, 1500ms);
  EXPECT_GE(found.value().polls, 2);
}

TEST_F(pg_query_poll_test, times_out_with_not_persisted) {
  const auto before = clock_type::now();
  db_outcome<pg_poll_result> missing =
      run_sync(io_, poll_pg_query(worker_, event_by_message(), vars("synthetic never there"), 400ms));
  const auto took = clock_type::now() - before;
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, failure_reason::not_persisted);
  EXPECT_GE(took, 390ms);
  EXPECT_LT(took, 1000ms);
}

TEST_F(pg_query_poll_test, other_jobs_interleave_with_polling) {
  std::optional<db_outcome<pg_poll_result>> poll;
  boost::asio::co_spawn(
      io_, poll_pg_query(worker_, event_by_message(), vars("synthetic never"), 1500ms),
      [&](std::exception_ptr, db_outcome<pg_poll_result> r) { poll.emplace(std::move(r)); });
  std::optional<clock_type::duration> other_took;
  const auto before = clock_type::now();
  std::function<int(pqxx::connection&)> quick = [](pqxx::connection&) { return 1; };
  boost::asio::co_spawn(io_, worker_.run<int>(quick, 1s), [&](std::exception_ptr, db_outcome<int> r) {
    if (r.ok()) {
      other_took = clock_type::now() - before;
    }
  });
  io_.restart();
  io_.run_for(5s);
  ASSERT_TRUE(other_took.has_value());
  EXPECT_LT(*other_took, 300ms);
  ASSERT_TRUE(poll.has_value());
  EXPECT_EQ(poll->error().reason, failure_reason::not_persisted);
}

TEST_F(pg_query_poll_test, unbound_variable_and_sql_errors) {
  db_outcome<pg_poll_result> unbound =
      run_sync(io_, poll_pg_query(worker_, event_by_message(), fixtures_.variables(), 1s));
  ASSERT_FALSE(unbound.ok());
  EXPECT_EQ(unbound.error().reason, failure_reason::internal);
  EXPECT_NE(unbound.error().message.find("${marker}"), std::string::npos);

  pg_query_step broken;
  broken.sql = "SELECT no_such_column FROM events";
  db_outcome<pg_poll_result> failed = run_sync(io_, poll_pg_query(worker_, broken, {}, 1s));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().reason, failure_reason::db_error);
  EXPECT_EQ(failed.error().sqlstate, "42703");

  // Read-only transaction: a writing function is refused.
  db_test::execute(dsn(), "CREATE SEQUENCE IF NOT EXISTS meshwatch_poll_test_seq");
  pg_query_step writer;
  writer.sql = "SELECT nextval('meshwatch_poll_test_seq')";
  db_outcome<pg_poll_result> refused = run_sync(io_, poll_pg_query(worker_, writer, {}, 1s));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, failure_reason::db_error);
  EXPECT_EQ(refused.error().sqlstate, "25006");
}

TEST_F(pg_query_poll_test, min_rows_counts_rows) {
  pg_query_step step;
  step.sql = "SELECT id FROM events WHERE project_id = $1::uuid ORDER BY received_at";
  step.params = {text_template::parse("${project_id}", {}).value.value()};
  step.min_rows = 3;
  db_outcome<pg_poll_result> three = run_sync(io_, poll_pg_query(worker_, step, fixtures_.variables(), 1s));
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three.value().rows, 3u);
  EXPECT_EQ(three.value().first_row["id"], fixtures_.event_1_id);
  step.min_rows = 4;
  db_outcome<pg_poll_result> four = run_sync(io_, poll_pg_query(worker_, step, fixtures_.variables(), 300ms));
  ASSERT_FALSE(four.ok());
  EXPECT_EQ(four.error().reason, failure_reason::not_persisted);
}

}  // namespace
}  // namespace meshwatch

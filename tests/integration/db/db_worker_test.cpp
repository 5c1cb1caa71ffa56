// db_worker against the fixture PostgreSQL: round trips from a coroutine, the bounded queue,
// deadlines (queued and running), reconnects and shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <thread>

#include "daemon/db/db_worker.hpp"
#include "tests/integration/db/db_test_support.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using db_test::run_sync;
using clock_type = std::chrono::steady_clock;

std::function<int(pqxx::connection&)> select_int(std::string sql) {
  return [sql](pqxx::connection& c) {
    pqxx::nontransaction tx{c};
    return tx.exec1(sql)[0].as<int>();
  };
}

// A job that flags when it has started, then runs `sql`.
std::function<int(pqxx::connection&)> flagged(std::shared_ptr<std::atomic<bool>> started, std::string sql) {
  return [started, sql](pqxx::connection& c) {
    started->store(true);
    pqxx::nontransaction tx{c};
    tx.exec(sql);
    return 1;
  };
}

void wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  const auto deadline = clock_type::now() + limit;
  while (!condition() && clock_type::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(condition());
}

TEST(db_worker, round_trip_from_a_coroutine) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  db_outcome<int> answer = run_sync(io, worker.run<int>(select_int("SELECT 40 + 2"), 5s));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer.value(), 42);

  // The completion came back on the loop: a second job on the same connection works too.
  db_outcome<int> again = run_sync(io, worker.run<int>(select_int("SELECT 7"), 5s));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), 7);
  EXPECT_EQ(worker.stats().connects, 1u);
  EXPECT_EQ(worker.stats().succeeded, 2u);
  EXPECT_EQ(worker.describe().find("mesh:mesh"), std::string::npos);
  EXPECT_NE(worker.describe().find("password='***'"), std::string::npos);
}

TEST(db_worker, password_from_the_config_secret) {
  std::string dsn = test::postgres_dsn();
  const auto at = dsn.find("mesh:mesh@");
  ASSERT_NE(at, std::string::npos);
  dsn.replace(at, 10, "mesh@");
  database_config config = db_test::config_for(dsn);
  config.password = secret("mesh");
  boost::asio::io_context io;
  db_worker worker(config);
  db_outcome<int> answer = run_sync(io, worker.run<int>(select_int("SELECT 1"), 5s));
  ASSERT_TRUE(answer.ok()) << answer.error().message;

  // The fixture cluster trusts every login (initdb -A trust), so a wrong secret cannot be
  // told apart here; what can be checked is that it never shows up in descriptions.
  EXPECT_EQ(worker.describe().find("'mesh'", worker.describe().find("password=")), std::string::npos);
  EXPECT_NE(worker.describe().find("password='***'"), std::string::npos);
}

TEST(db_worker, sql_errors_become_db_error_with_sqlstate) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  db_outcome<int> answer = run_sync(io, worker.run<int>(select_int("SELECT 1/0"), 5s));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().reason, failure_reason::db_error);
  EXPECT_EQ(answer.error().sqlstate, "22012");
  EXPECT_NE(answer.error().message.find("division by zero"), std::string::npos);
  // The connection is still usable afterwards.
  EXPECT_TRUE(run_sync(io, worker.run<int>(select_int("SELECT 1"), 5s)).ok());
  EXPECT_EQ(worker.stats().connects, 1u);
}

TEST(db_worker, queue_full_fails_fast) {
  boost::asio::io_context io;
  boost::asio::io_context caller;  // outlives the worker, like every executor it answers
  db_worker_options options;
  options.queue_capacity = 1;
  db_worker worker(db_test::config_for(test::postgres_dsn()), options);

  auto started = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> finished{0};
  auto count = [&finished](std::exception_ptr, db_outcome<int>) { ++finished; };
  boost::asio::co_spawn(io, worker.run<int>(flagged(started, "SELECT pg_sleep(0.5)"), 5s), count);
  std::thread loop([&io] { io.run_for(10s); });
  wait_until([&] { return started->load(); });

  // One job fits in the queue behind the running one; the next is refused at once.
  boost::asio::co_spawn(io, worker.run<int>(select_int("SELECT 1"), 5s), count);
  wait_until([&] { return worker.stats().queued == 1; });
  const auto before = clock_type::now();
  db_outcome<int> refused = run_sync(caller, worker.run<int>(select_int("SELECT 1"), 5s));
  const auto took = clock_type::now() - before;
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, failure_reason::db_error);
  EXPECT_EQ(refused.error().message, "queue full");
  EXPECT_LT(took, 100ms);
  EXPECT_EQ(worker.stats().rejected_queue_full, 1u);

  wait_until([&] { return finished.load() == 2; });
  loop.join();
}

TEST(db_worker, job_expired_in_queue_is_dropped_as_timeout) {
  boost::asio::io_context io;
  boost::asio::io_context caller;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  auto blocker_started = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> blocker_done{false};
  boost::asio::co_spawn(io, worker.run<int>(flagged(blocker_started, "SELECT pg_sleep(0.8)"), 5s),
                        [&](std::exception_ptr, db_outcome<int>) { blocker_done = true; });
  std::thread loop([&io] { io.run_for(10s); });
  wait_until([&] { return blocker_started->load(); });

  auto late_started = std::make_shared<std::atomic<bool>>(false);
  const auto before = clock_type::now();
  db_outcome<int> late = run_sync(caller, worker.run<int>(flagged(late_started, "SELECT 1"), 200ms));
  const auto took = clock_type::now() - before;
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().reason, failure_reason::timeout);
  // The caller is answered at its deadline (+ the grace), not when the DB thread is free.
  EXPECT_LT(took, 700ms);

  wait_until([&] { return blocker_done.load() && worker.stats().expired_in_queue == 1; });
  EXPECT_FALSE(late_started->load()) << "an expired job must never run";
  loop.join();
}

TEST(db_worker, running_statement_is_cancelled_at_the_deadline) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  const auto before = clock_type::now();
  db_outcome<int> slow = run_sync(io, worker.run<int>(select_int("SELECT 1 FROM pg_sleep(5)"), 500ms));
  const auto took = clock_type::now() - before;
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().reason, failure_reason::timeout);
  EXPECT_LT(took, 1500ms);
  // The server really stopped it (statement_timeout), so the connection is free again.
  db_outcome<int> next = run_sync(io, worker.run<int>(select_int("SELECT 3"), 2s));
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next.value(), 3);
}

TEST(db_worker, reconnects_after_the_backend_is_terminated) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  db_outcome<int> first = run_sync(io, worker.run<int>(select_int("SELECT pg_backend_pid()"), 5s));
  ASSERT_TRUE(first.ok());
  const std::string killed = db_test::query_value(
      test::postgres_dsn(), "SELECT pg_terminate_backend(" + std::to_string(first.value()) + ")::text");
  EXPECT_EQ(killed, "true");

  db_outcome<int> second = run_sync(io, worker.run<int>(select_int("SELECT pg_backend_pid()"), 5s));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(second.value(), first.value());
  EXPECT_EQ(worker.stats().connects, 2u);
}

TEST(db_worker, connection_lost_mid_job_is_db_error_then_recovers) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  db_outcome<int> pid = run_sync(io, worker.run<int>(select_int("SELECT pg_backend_pid()"), 5s));
  ASSERT_TRUE(pid.ok());
  // The job terminates its own session: the failure surfaces inside the job.
  db_outcome<int> lost =
      run_sync(io, worker.run<int>(select_int("SELECT pg_terminate_backend(pg_backend_pid())::int"), 5s));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().reason, failure_reason::db_error);
  db_outcome<int> after = run_sync(io, worker.run<int>(select_int("SELECT 5"), 5s));
  ASSERT_TRUE(after.ok()) << after.error().message;
}

TEST(db_worker, unreachable_server_is_db_error_quickly) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for("postgres://mesh:mesh@127.0.0.1:1/mesher"));
  const auto before = clock_type::now();
  db_outcome<int> answer = run_sync(io, worker.run<int>(select_int("SELECT 1"), 5s));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().reason, failure_reason::db_error);
  EXPECT_LT(clock_type::now() - before, 1s);
  // Inside the backoff the next job does not even try.
  db_outcome<int> again = run_sync(io, worker.run<int>(select_int("SELECT 1"), 5s));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("not connected"), std::string::npos) << again.error().message;
}

TEST(db_worker, reconnect_attempts_stay_at_most_two_seconds_apart_however_long_the_outage) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for("postgres://mesh:mesh@127.0.0.1:1/mesher"));
  // 200 ms doubling reaches 3.2 s after five refused connects (6.2 s): run jobs for longer.
  long longest_wait = 0;
  const auto until = clock_type::now() + 7s;
  while (clock_type::now() < until) {
    db_outcome<int> answer = run_sync(io, worker.run<int>(select_int("SELECT 1"), 2s));
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().reason, failure_reason::db_error);
    const std::string& message = answer.error().message;
    if (auto at = message.find("next attempt in "); at != std::string::npos) {
      longest_wait = std::max(longest_wait, std::stol(message.substr(at + 16)));
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GT(longest_wait, 0) << "no job ever saw the backoff";
  // Mesher reconnects on its next request; the DB thread must not lag far behind it.
  EXPECT_LE(longest_wait, 2000);
}

TEST(db_worker, invalid_dsn_fails_every_job_without_a_thread_round_trip) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for("postgres://[broken"));
  EXPECT_FALSE(worker.config_error().empty());
  db_outcome<int> answer = run_sync(io, worker.run<int>(select_int("SELECT 1"), 5s));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().reason, failure_reason::db_error);
}

TEST(db_worker, stop_cancels_the_running_statement_and_queued_jobs) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  db_outcome<int> pid = run_sync(io, worker.run<int>(select_int("SELECT pg_backend_pid()"), 5s));
  ASSERT_TRUE(pid.ok());

  auto started = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> cancelled{0};
  auto on_done = [&cancelled](std::exception_ptr, db_outcome<int> outcome) {
    if (!outcome.ok() && outcome.error().message.find("stopping") != std::string::npos) {
      ++cancelled;
    }
  };
  boost::asio::co_spawn(io, worker.run<int>(flagged(started, "SELECT pg_sleep(20)"), 30s), on_done);
  boost::asio::co_spawn(io, worker.run<int>(select_int("SELECT 1"), 30s), on_done);
  io.restart();
  std::thread loop([&io] { io.run_for(10s); });
  wait_until([&] { return started->load(); });

  const auto before = clock_type::now();
  worker.stop();
  EXPECT_LT(clock_type::now() - before, 1600ms);
  wait_until([&] { return cancelled.load() == 2; });
  loop.join();

  // PQcancel reached the server: the sleep is gone from pg_stat_activity.
  const std::string still_running =
      db_test::query_value(test::postgres_dsn(), "SELECT count(*)::text FROM pg_stat_activity WHERE pid = " +
                                                     std::to_string(pid.value()) + " AND state = 'active'");
  EXPECT_EQ(still_running, "0");

  // After stop, jobs fail at once.
  boost::asio::io_context caller;
  db_outcome<int> refused = run_sync(caller, worker.run<int>(select_int("SELECT 1"), 5s));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, failure_reason::db_error);
}

TEST(db_worker, caller_cancellation_abandons_the_job) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(test::postgres_dsn()));
  auto blocker_started = std::make_shared<std::atomic<bool>>(false);
  auto abandoned_started = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> blocker_done{false};
  boost::asio::co_spawn(io, worker.run<int>(flagged(blocker_started, "SELECT pg_sleep(0.4)"), 5s),
                        [&](std::exception_ptr, db_outcome<int>) { blocker_done = true; });
  boost::asio::cancellation_signal cancel;
  std::optional<db_outcome<int>> cancelled;
  boost::asio::co_spawn(
      io, worker.run<int>(flagged(abandoned_started, "SELECT 1"), 5s),
      boost::asio::bind_cancellation_slot(
          cancel.slot(), [&](std::exception_ptr, db_outcome<int> o) { cancelled.emplace(std::move(o)); }));
  boost::asio::steady_timer soon(io, 100ms);
  soon.async_wait([&](boost::system::error_code) { cancel.emit(boost::asio::cancellation_type::terminal); });
  io.run_for(3s);
  ASSERT_TRUE(cancelled.has_value());
  EXPECT_FALSE(cancelled->ok());
  EXPECT_EQ(cancelled->error().reason, failure_reason::timeout);
  EXPECT_TRUE(blocker_done.load());
  EXPECT_FALSE(abandoned_started->load());
}

}  // namespace
}  // namespace meshwatch

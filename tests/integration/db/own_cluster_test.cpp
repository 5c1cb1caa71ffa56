// PostgreSQL going away under a connected worker. This needs a cluster of its own (started
// and stopped here with scripts/pg), never the shared ctest fixture.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <thread>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/pg_checks.hpp"
#include "daemon/db/pg_query_poll.hpp"
#include "tests/integration/db/db_test_support.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using db_test::run_sync;
using clock_type = std::chrono::steady_clock;

class own_cluster {
 public:
  own_cluster() {
    std::mt19937 rng(std::random_device{}());
    dir_ = "/tmp/meshwatch-db-own-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 100000);
    if (std::system(("'" + script() + "' start '" + dir_ + "' >/dev/null").c_str()) != 0) {
      throw std::runtime_error("scripts/pg start failed for " + dir_);
    }
    std::ifstream in(dir_ + "/dsn");
    std::getline(in, dsn_);
  }
  ~own_cluster() { stop(); }
  own_cluster(const own_cluster&) = delete;
  own_cluster& operator=(const own_cluster&) = delete;

  void stop() {
    if (!stopped_) {
      stopped_ = true;
      [[maybe_unused]] int rc =
          std::system(("'" + script() + "' stop '" + dir_ + "' >/dev/null 2>&1").c_str());
    }
  }
  const std::string& dsn() const { return dsn_; }
  /** Stops the server, keeping its directory and port (scripts/pg pause). */
  void pause() { ASSERT_EQ(std::system(("'" + script() + "' pause '" + dir_ + "'").c_str()), 0); }
  /** Starts it again on the same port (scripts/pg resume). */
  void resume() { ASSERT_EQ(std::system(("'" + script() + "' resume '" + dir_ + "'").c_str()), 0); }

 private:
  static std::string script() { return std::string(MESHWATCH_SOURCE_DIR) + "/scripts/pg"; }
  std::string dir_;
  std::string dsn_;
  bool stopped_ = false;
};

std::function<int(pqxx::connection&)> select_one() {
  return [](pqxx::connection& c) {
    pqxx::nontransaction tx{c};
    return tx.exec1("SELECT 1")[0].as<int>();
  };
}

TEST(db_own_cluster, postgres_stopped_is_db_error_quickly) {
  own_cluster cluster;
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(cluster.dsn()));
  db_outcome<int> before = run_sync(io, worker.run<int>(select_one(), 5s));
  ASSERT_TRUE(before.ok()) << before.error().message;

  cluster.stop();
  const auto started = clock_type::now();
  db_outcome<int> after = run_sync(io, worker.run<int>(select_one(), 5s));
  EXPECT_LT(clock_type::now() - started, 2s);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().reason, failure_reason::db_error);
  EXPECT_FALSE(worker.stats().connected);

  // The pg reachable check and the db_up gauge follow.
  pg_probe probe;
  probe.check = pg_check::reachable;
  pg_check_result reachable = run_sync(io, run_pg_check(worker, probe, 3s));
  EXPECT_FALSE(reachable.passed);
  EXPECT_EQ(reachable.reason, failure_reason::db_error);
}

// A pipeline's persistence step while PostgreSQL restarts: Mesher is back at once, so the step
// must keep polling through the refused connections and pass once the DB thread reconnects,
// instead of failing with db_error at the first refusal (and aborting the pipeline half-way).
TEST(db_own_cluster, a_persistence_poll_rides_out_a_restart_within_its_window) {
  own_cluster cluster;
  boost::asio::io_context io;
  db_worker worker(db_test::config_for(cluster.dsn()));
  ASSERT_TRUE(run_sync(io, worker.run<int>(select_one(), 5s)).ok());

  cluster.pause();
  // The DB thread has seen the outage and is in its reconnect backoff.
  db_outcome<int> down = run_sync(io, worker.run<int>(select_one(), 2s));
  ASSERT_FALSE(down.ok());
  ASSERT_EQ(down.error().reason, failure_reason::db_error);

  std::thread restart([&cluster] {
    std::this_thread::sleep_for(1s);
    cluster.resume();
  });
  pg_query_step step;
  step.sql = "SELECT 1 AS one";
  db_outcome<pg_poll_result> polled = run_sync(io, poll_pg_query(worker, step, {}, 10s), 15s);
  restart.join();
  ASSERT_TRUE(polled.ok()) << polled.error().message;
  EXPECT_EQ(polled.value().first_row.at("one"), "1");
  EXPECT_GT(polled.value().polls, 1);

  // Down for the whole window: db_error (not timeout, not not_persisted), after the window.
  cluster.pause();
  const auto started = clock_type::now();
  db_outcome<pg_poll_result> lost = run_sync(io, poll_pg_query(worker, step, {}, 1500ms), 5s);
  const auto took = clock_type::now() - started;
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().reason, failure_reason::db_error) << lost.error().message;
  EXPECT_GE(took, 1400ms);
  EXPECT_LT(took, 3s);
}

}  // namespace
}  // namespace meshwatch

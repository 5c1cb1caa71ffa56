// PostgreSQL going away under a connected worker, and the synthetic tenant re-seeded when it
// returns. This needs a cluster of its own (started and stopped here with scripts/pg), never
// the shared ctest fixture.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <thread>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/fixture_seeder.hpp"
#include "daemon/db/fixture_upkeep.hpp"
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

// What a mutating or destructive pipeline cut off by an outage leaves behind: issue A resolved
// (issue_actions_roundtrip), user B still a member (team_member_roundtrip), issue B deleted
// (issue_discard_delete). Written through a connection of the test's own, as Mesher would.
void leave_interrupted_runs_behind(const std::string& dsn, const fixtures_config& f) {
  db_test::execute(dsn, "UPDATE issues SET status = 'resolved' WHERE id = '" + f.issue_a_id + "'");
  db_test::execute(dsn,
                   "INSERT INTO org_memberships (id, user_id, org_id, role) VALUES (gen_random_uuid(), '" +
                       f.user_b_id + "', '" + f.org_id + "', 'member')");
  db_test::execute(dsn, "DELETE FROM issues WHERE id = '" + f.issue_b_id + "'");
}

bool tenant_restored(const std::string& dsn, const fixtures_config& f) {
  return db_test::query_value(dsn, "SELECT status FROM issues WHERE id = '" + f.issue_a_id + "'") ==
             "unresolved" &&
         db_test::query_value(dsn, "SELECT count(*)::text FROM issues WHERE id = '" + f.issue_b_id + "'") ==
             "1" &&
         db_test::query_value(
             dsn, "SELECT count(*)::text FROM org_memberships WHERE user_id = '" + f.user_b_id + "'") == "0";
}

// Runs the loop in slices until the tenant is restored or `limit` passes; how long it took.
std::optional<std::chrono::milliseconds> wait_restored(boost::asio::io_context& io, const std::string& dsn,
                                                       const fixtures_config& f, clock_type::time_point from,
                                                       std::chrono::milliseconds limit) {
  while (clock_type::now() - from < limit) {
    io.restart();
    io.run_for(100ms);
    if (tenant_restored(dsn, f)) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - from);
    }
  }
  return std::nullopt;
}

// run_sync runs the loop for its whole limit while other work (the upkeep's timer) remains:
// this one returns as soon as `task` is done.
template <class T>
T run_until_done(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  const auto limit = clock_type::now() + 30s;
  while (result.wait_for(0s) != std::future_status::ready) {
    if (clock_type::now() > limit) throw std::runtime_error("coroutine did not finish in time");
    io.restart();
    io.run_for(20ms);
  }
  return result.get();
}

// The upkeep's period is 10 minutes here, so only the reaction to PostgreSQL's return can
// restore the tenant within the bound: the DB thread's reconnect backoff (≤ 2 s, its cap),
// the upkeep's ping (1 s apart) and check (250 ms), one seeding, and slack for a loaded
// machine (3 s).
TEST(db_own_cluster, the_tenant_is_reseeded_and_pruned_when_postgres_returns) {
  own_cluster cluster;
  {
    db_test::twin schema(cluster.dsn());  // Mesher's schema and partitions; not needed afterwards
  }
  boost::asio::io_context io;
  const fixtures_config fixtures;
  db_worker worker(db_test::config_for(cluster.dsn()));
  fixture_seeder seeder(worker, fixtures);
  fixture_upkeep_options options;
  // Leftovers older than this are from runs that are over (the daemon derives it from the
  // longest pipeline timeout); the outage below lasts longer.
  options.recovery_stale_after = 1s;
  std::vector<bool> results;
  fixture_upkeep upkeep("own", worker, seeder, options, [&results](bool up) { results.push_back(up); });
  ASSERT_TRUE(run_sync(io, upkeep.seed_now(seed_reason::first, 10s)));
  ASSERT_TRUE(tenant_restored(cluster.dsn(), fixtures));
  upkeep.start(io.get_executor(), 10min);
  const std::chrono::milliseconds bound = 2s + options.ping_every + options.check_every + 3s;

  // 1. An outage that probes noticed (a job failed), no seeding attempted meanwhile.
  leave_interrupted_runs_behind(cluster.dsn(), fixtures);
  cluster.pause();
  ASSERT_FALSE(run_until_done(io, worker.run<int>(select_one(), 2s)).ok());
  io.restart();
  io.run_for(1500ms);  // pings fail; nothing is seeded while PostgreSQL is away
  EXPECT_EQ(upkeep.stats().seedings, 1u);
  EXPECT_EQ(upkeep.stats().reconnects, 0u);
  cluster.resume();
  auto took = wait_restored(io, cluster.dsn(), fixtures, clock_type::now(), bound + 10s);
  ASSERT_TRUE(took.has_value()) << "the tenant was not restored after PostgreSQL returned";
  EXPECT_LE(*took, bound);
  EXPECT_EQ(upkeep.stats().reconnects, 1u);
  EXPECT_EQ(upkeep.stats().seedings, 2u);
  EXPECT_TRUE(upkeep.stats().seeded);
  std::cout << "[measured] tenant restored " << took->count() << " ms after the restart (new session)\n";

  // 2. A seeding that failed during the outage: retried, and the tenant restored on return.
  // The re-seeding above is done in the database; let the loop see it finish too.
  for (int i = 0; i < 100 && upkeep.busy(); ++i) {
    io.restart();
    io.run_for(20ms);
  }
  ASSERT_FALSE(upkeep.busy());
  leave_interrupted_runs_behind(cluster.dsn(), fixtures);
  cluster.pause();
  EXPECT_FALSE(run_until_done(io, upkeep.seed_now(seed_reason::periodic, 3s)));
  EXPECT_FALSE(upkeep.stats().seeded);
  ASSERT_FALSE(results.empty());
  EXPECT_FALSE(results.back());
  io.restart();
  io.run_for(1500ms);
  cluster.resume();
  took = wait_restored(io, cluster.dsn(), fixtures, clock_type::now(), bound + 10s);
  ASSERT_TRUE(took.has_value()) << "the tenant was not restored after a failed seeding";
  EXPECT_LE(*took, bound);
  EXPECT_TRUE(upkeep.stats().seeded);
  EXPECT_TRUE(results.back());
  std::cout << "[measured] tenant restored " << took->count() << " ms after the restart (failed seeding)\n";
  upkeep.stop();
  worker.stop();
}

}  // namespace
}  // namespace meshwatch

// The four pg checks (FAILURES.md D12) against a scratch database with Mesher's schema,
// passing and failing.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <thread>
#include <vector>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/pg_checks.hpp"
#include "tests/integration/db/db_test_support.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using db_test::run_sync;

pg_probe probe_of(pg_check check) {
  pg_probe probe;
  probe.check = check;
  return probe;
}

class pg_checks : public ::testing::Test {
 protected:
  const std::string& dsn() { return db_test::shared_mesher_db().database.dsn(); }
  pg_check_result check(pg_probe probe, pg_check_context context = {}) {
    return run_sync(io_, run_pg_check(worker_, probe, 5s, std::move(context)));
  }
  std::string today_partition() {
    return "events_" + db_test::query_value(dsn(), "SELECT to_char(current_date, 'YYYYMMDD')");
  }
  std::string tomorrow_partition() {
    return "events_" + db_test::query_value(dsn(), "SELECT to_char(current_date + 1, 'YYYYMMDD')");
  }

  boost::asio::io_context io_;
  db_worker worker_{db_test::config_for(dsn())};
};

TEST_F(pg_checks, reachable_reports_the_server_version) {
  pg_check_result result = check(probe_of(pg_check::reachable));
  EXPECT_TRUE(result.passed) << result.detail;
  EXPECT_FALSE(result.reason.has_value());
  ASSERT_TRUE(result.value.has_value());
  EXPECT_GE(*result.value, 120000);
  EXPECT_NE(result.detail.find("PostgreSQL "), std::string::npos);
}

TEST(pg_checks_down, reachable_fails_with_db_error_when_the_server_is_gone) {
  boost::asio::io_context io;
  db_worker worker(db_test::config_for("postgres://mesh:mesh@127.0.0.1:1/mesher"));
  pg_check_result result = run_sync(io, run_pg_check(worker, probe_of(pg_check::reachable), 3s));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.reason, failure_reason::db_error);
  EXPECT_FALSE(result.value.has_value());
}

TEST_F(pg_checks, partition_horizon_passes_after_mesher_start) {
  pg_probe probe = probe_of(pg_check::partition_horizon);
  probe.min_days = 2;
  pg_check_result result = check(probe);
  EXPECT_TRUE(result.passed) << result.detail;
  ASSERT_TRUE(result.value.has_value());
  EXPECT_GE(*result.value, 6);  // the twin creates a week ahead at start, like Mesher
}

TEST_F(pg_checks, partition_horizon_fails_when_tomorrow_is_missing) {
  db_test::execute(dsn(), "DROP TABLE IF EXISTS " + tomorrow_partition());
  pg_probe probe = probe_of(pg_check::partition_horizon);
  probe.min_days = 1;
  pg_check_result result = check(probe);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.reason, failure_reason::db_error);
  ASSERT_TRUE(result.value.has_value());
  EXPECT_EQ(*result.value, 0);
  EXPECT_NE(result.detail.find(tomorrow_partition()), std::string::npos) << result.detail;

  db_test::execute(dsn(), "DROP TABLE IF EXISTS " + today_partition());
  result = check(probe);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.value, -1.0);
  EXPECT_NE(result.detail.find("no partition for today"), std::string::npos) << result.detail;
}

TEST_F(pg_checks, connections_counts_the_users_sessions) {
  pg_probe probe = probe_of(pg_check::connections);
  probe.max_connections = 1000;
  pg_check_result baseline = check(probe);
  ASSERT_TRUE(baseline.passed) << baseline.detail;
  ASSERT_TRUE(baseline.value.has_value());
  EXPECT_NE(baseline.detail.find("user mesh"), std::string::npos) << baseline.detail;

  std::vector<std::unique_ptr<pqxx::connection>> extra;
  for (int i = 0; i < 3; ++i) {
    extra.push_back(std::make_unique<pqxx::connection>(dsn()));
  }
  probe.max_connections = static_cast<int>(*baseline.value) + 2;
  pg_check_result crowded = check(probe);
  EXPECT_FALSE(crowded.passed) << crowded.detail;
  EXPECT_EQ(crowded.reason, failure_reason::db_error);
  ASSERT_TRUE(crowded.value.has_value());
  EXPECT_GE(*crowded.value, *baseline.value + 3);

  // Another user's sessions are not Mesher's.
  pg_check_result other = check(probe, pg_check_context{"nobody_here"});
  EXPECT_TRUE(other.passed) << other.detail;
  EXPECT_EQ(other.value, 0.0);
}

TEST_F(pg_checks, long_statements_pass_when_none_and_fail_on_a_sleeper) {
  pg_probe probe = probe_of(pg_check::long_statements);
  probe.longer_than = 300ms;
  pg_check_result quiet = check(probe);
  EXPECT_TRUE(quiet.passed) << quiet.detail;

  std::atomic<bool> connected{false};
  std::thread sleeper([&] {
    pqxx::connection c{dsn()};
    pqxx::nontransaction tx{c};
    connected = true;
    tx.exec("SELECT pg_sleep(1.5)");
  });
  pg_check_result busy;
  // The sleeper needs > 300 ms of runtime before it counts; poll the check, bounded.
  const auto deadline = std::chrono::steady_clock::now() + 1400ms;
  do {
    busy = check(probe);
  } while (busy.passed && std::chrono::steady_clock::now() < deadline);
  sleeper.join();
  EXPECT_TRUE(connected.load());
  EXPECT_FALSE(busy.passed);
  EXPECT_EQ(busy.reason, failure_reason::db_error);
  EXPECT_EQ(busy.value, 1.0);
  EXPECT_NE(busy.detail.find("pg_sleep"), std::string::npos) << busy.detail;
}

}  // namespace
}  // namespace meshwatch

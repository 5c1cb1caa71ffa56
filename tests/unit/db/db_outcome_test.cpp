#include "daemon/db/db_outcome.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "daemon/db/db_worker.hpp"

namespace meshwatch {
namespace {

struct no_default {
  explicit no_default(int v) : value(v) {}
  int value;
};

TEST(db_outcome, holds_a_value_or_a_failure) {
  db_outcome<no_default> good = db_outcome<no_default>::success(no_default{3});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value().value, 3);
  db_outcome<no_default> bad = db_outcome<no_default>::failure({failure_reason::timeout, "late", ""});
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, failure_reason::timeout);
  EXPECT_EQ(bad.error().message, "late");
}

TEST(db_worker_config, an_invalid_dsn_fails_jobs_without_touching_the_network) {
  database_config config;
  config.dsn = "host=localhost password='unterminated";
  boost::asio::io_context io;
  db_worker worker(config);
  EXPECT_FALSE(worker.config_error().empty());
  EXPECT_EQ(worker.describe(), "(invalid DSN)");
  std::function<int(pqxx::connection&)> job = [](pqxx::connection&) { return 1; };
  auto result =
      boost::asio::co_spawn(io, worker.run<int>(job, std::chrono::seconds{1}), boost::asio::use_future);
  io.run();
  db_outcome<int> outcome = result.get();
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().reason, failure_reason::db_error);
  EXPECT_EQ(worker.stats().connects, 0u);
}

}  // namespace
}  // namespace meshwatch

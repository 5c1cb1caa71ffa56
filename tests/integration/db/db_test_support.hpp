#pragma once
// Helpers for the meshwatch_db integration tests: a scratch database per test process (so
// tests never see each other's rows, whatever the order or parallelism), Mesher's schema in
// it created by a real mesher-twin, and running a coroutine to completion on an io_context.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/target_config.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::db_test {

using namespace std::chrono_literals;

// The scratch database of every test process comes from tests/support.
using test::scratch_database;
using test::superuser_dsn;

/** mesher-twin in fixed mode on `dsn`: creates the schema and today's partitions + 7 days. */
class twin {
 public:
  explicit twin(const std::string& dsn);
  unsigned short http_port() const { return http_port_; }

 private:
  std::string ports_file_;
  std::unique_ptr<test::subprocess> process_;
  unsigned short http_port_ = 0;
};

/** This process's scratch database with Mesher's schema and a running twin on it. */
struct mesher_db {
  scratch_database database;
  twin server{database.dsn()};
};
mesher_db& shared_mesher_db();

database_config config_for(const std::string& dsn);

/** Runs `task` on `io` until it completes (or `limit` passes: throws). */
template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> task,
           std::chrono::milliseconds limit = 30s) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run_for(limit);
  if (result.wait_for(0s) != std::future_status::ready) {
    throw std::runtime_error("coroutine did not finish in time");
  }
  return result.get();
}

/** One SQL statement on a fresh connection of its own (not the worker's); first value as text. */
std::string query_value(const std::string& dsn, const std::string& sql);
void execute(const std::string& dsn, const std::string& sql);

}  // namespace meshwatch::db_test

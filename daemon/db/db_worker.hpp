#pragma once
// The one DB thread of DESIGN.md §1: it owns one libpqxx connection and runs blocking jobs
// from a bounded queue, so the Asio loop never waits on PostgreSQL. Jobs are submitted from
// a coroutine on the loop; the answer is posted back to the caller's executor.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "config/target_config.hpp"
#include "daemon/db/db_outcome.hpp"

// libpqxx 6.4 spells pqxx::connection as an alias of a class template; declaring it here
// keeps <pqxx/…> out of every TU that only submits jobs.
namespace pqxx {
class connect_direct;
template <typename CONNECTPOLICY>
class basic_connection_base;
using connection = basic_connection_base<connect_direct>;
}  // namespace pqxx

namespace meshwatch {

struct db_worker_options {
  /** Jobs beyond this many waiting fail at once with db_error "queue full". */
  std::size_t queue_capacity = 64;
  /** libpq connect timeout (whole seconds, at least 2 s: a libpq rule). */
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{3}};
  /** Upper bound for one statement; a job's remaining time lowers it per job. */
  std::chrono::milliseconds statement_timeout{std::chrono::seconds{30}};
  /**
   * After a failed connect, jobs fail fast until the backoff passes (doubling up to max).
   * The max is short on purpose: Mesher's own pool reconnects on its next request, and a
   * pipeline's persistence step (a few seconds) must see PostgreSQL back as soon as Mesher
   * does, or it fails after the HTTP step has already changed synthetic rows.
   */
  std::chrono::milliseconds reconnect_backoff_initial{std::chrono::milliseconds{200}};
  std::chrono::milliseconds reconnect_backoff_max{std::chrono::seconds{2}};
  /** stop() waits this long for the thread; past it the thread is detached (logged). */
  std::chrono::milliseconds stop_timeout{std::chrono::milliseconds{1500}};
  /** How long past a job's deadline the caller still waits for the DB thread's own answer. */
  std::chrono::milliseconds completion_grace{std::chrono::milliseconds{250}};
  std::string application_name = "meshwatch";
};

struct db_worker_stats {
  std::size_t queued = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t rejected_queue_full = 0;
  std::uint64_t expired_in_queue = 0;
  std::uint64_t connects = 0;
  bool connected = false;
};

/**
 * Usage, on the loop thread:
 *   db_outcome<int> n = co_await worker.run<int>(
 *       [](pqxx::connection& c) { pqxx::work w{c}; return w.exec("SELECT 1")[0][0].as<int>(); },
 *       std::chrono::seconds{2});
 *
 * Every job has a deadline (now + timeout): a job still queued at its deadline is dropped as
 * `timeout`; a running statement is limited by `statement_timeout` set to the time left; and
 * the caller stops waiting at deadline + completion_grace whatever the DB thread does.
 * Exceptions from the job become db_error (or timeout for a cancelled statement).
 *
 * stop() must run before the io_context of any caller is destroyed: completions are posted
 * to the callers' executors.
 */
class db_worker {
 public:
  using job = std::function<void(pqxx::connection&)>;

  /** Starts the thread; the connection is opened lazily by the first job. */
  explicit db_worker(const database_config& config, db_worker_options options = {});
  ~db_worker();
  db_worker(const db_worker&) = delete;
  db_worker& operator=(const db_worker&) = delete;

  /** Runs `fn` on the DB thread and returns its value (or the failure). */
  template <class T>
  boost::asio::awaitable<db_outcome<T>> run(std::function<T(pqxx::connection&)> fn,
                                            std::chrono::milliseconds timeout);

  /** The type-erased form of run(): nullopt on success. */
  boost::asio::awaitable<std::optional<db_failure>> execute(job work, std::chrono::milliseconds timeout);

  /**
   * Cancels queued jobs (db_error "worker stopping"), cancels an in-flight statement
   * (PQcancel) and joins the thread within options.stop_timeout. Idempotent.
   */
  void stop();

  /** The connection string with the password masked, for logs. */
  const std::string& describe() const noexcept;
  /** The configuration problem that makes every job fail (bad DSN), if any. */
  const std::string& config_error() const noexcept;
  db_worker_stats stats() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with the thread, which may outlive a timed-out stop()
};

template <class T>
boost::asio::awaitable<db_outcome<T>> db_worker::run(std::function<T(pqxx::connection&)> fn,
                                                     std::chrono::milliseconds timeout) {
  // The DB thread writes the value before it posts the completion, and only a successful
  // completion is read here; the slot outlives a caller that gave up.
  auto slot = std::make_shared<std::optional<T>>();
  job erased = [slot, fn = std::move(fn)](pqxx::connection& connection) { slot->emplace(fn(connection)); };
  std::optional<db_failure> failure = co_await execute(std::move(erased), timeout);
  if (failure) {
    co_return db_outcome<T>::failure(std::move(*failure));
  }
  co_return db_outcome<T>::success(std::move(**slot));
}

}  // namespace meshwatch

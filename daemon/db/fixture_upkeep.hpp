#pragma once
// Keeps one target's synthetic tenant seeded: every period, again soon after a failed seeding,
// and at once when the DB thread gets a new session (PostgreSQL came back after an outage, or
// restarted unnoticed). An outage that lands inside a mutating pipeline leaves its half-done
// change behind (issue A resolved, user B still a member); re-seeding when the database
// returns, instead of at the next period, lets those probes pass again within one interval.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/fixture_seeder.hpp"

namespace meshwatch {

struct fixture_upkeep_options {
  /** Regular re-seeding, so destructive probes find their rows again. */
  std::chrono::milliseconds period{std::chrono::minutes{5}};
  /** Bound of one whole seeding (one-time part, per-cycle part and pruning together). */
  std::chrono::milliseconds seed_timeout{std::chrono::seconds{15}};
  /** How often the DB thread's session counter is looked at (a few atomics, no query). */
  std::chrono::milliseconds check_every{std::chrono::milliseconds{250}};
  /**
   * While the DB thread has no session, a no-op job this often makes it try to connect, so
   * the return of PostgreSQL is noticed even when no probe uses the database meanwhile. The
   * DB thread's own reconnect backoff (≤ 2 s) still decides when it really connects.
   */
  std::chrono::milliseconds ping_every{std::chrono::seconds{1}};
  /** After a failed seeding the next try comes this soon, doubling up to `period`. */
  std::chrono::milliseconds retry_initial{std::chrono::seconds{2}};
  /** Pruning after a regular seeding (conservative: other meshwatch processes may be probing). */
  cleanup_options cleanup;
  /**
   * Pruning after an outage or a failed seeding: leftovers older than the longest pipeline
   * timeout (plus margin) cannot belong to a run still in progress. Younger ones are pruned
   * by a follow-up as soon as they are that old.
   */
  std::chrono::seconds recovery_stale_after{std::chrono::seconds{15}};
};

/** Why a seeding ran; in logs. */
enum class seed_reason { first, periodic, retry, reconnected };
std::string_view to_string(seed_reason reason);

struct fixture_upkeep_stats {
  std::uint64_t seedings = 0;    // attempts, whatever the outcome
  std::uint64_t failures = 0;    // attempts that failed
  std::uint64_t reconnects = 0;  // new sessions that triggered a re-seeding
  std::uint64_t recovery_prunes = 0;
  bool seeded = false;  // the last attempt succeeded
};

/**
 * Usage on the loop thread: `co_await upkeep.seed_now(seed_reason::first, timeout)`, then
 * `upkeep.start(executor)`; `stop()` before the worker stops. Never runs two seedings of its
 * target at once: a seed_now() while one is running returns false without doing anything.
 */
class fixture_upkeep {
 public:
  /** `on_result(up)` is told the outcome of every seeding (the db_up gauge). */
  fixture_upkeep(std::string target, db_worker& worker, fixture_seeder& seeder,
                 fixture_upkeep_options options, std::function<void(bool)> on_result = {});
  ~fixture_upkeep();
  fixture_upkeep(const fixture_upkeep&) = delete;
  fixture_upkeep& operator=(const fixture_upkeep&) = delete;

  /** One seeding now (one-time part if needed, per-cycle part, pruning); false if it failed. */
  boost::asio::awaitable<bool> seed_now(seed_reason reason, std::chrono::milliseconds timeout);

  /** Starts the upkeep loop on `executor` (once), re-seeding every `period` (options.period). */
  void start(boost::asio::any_io_executor executor, std::chrono::milliseconds period);
  /** Ends the loop; a seeding in flight ends with the worker's answer. Idempotent. */
  void stop();

  fixture_upkeep_stats stats() const { return stats_; }
  /** A seeding or prune of this target is running. */
  bool busy() const noexcept { return seeding_; }
  const fixture_upkeep_options& options() const noexcept { return options_; }

 private:
  boost::asio::awaitable<void> loop(std::shared_ptr<bool> running);
  boost::asio::awaitable<void> prune_only();
  boost::asio::awaitable<void> ping();
  void follow_up(std::optional<std::chrono::seconds> spared_stale_in);

  std::string target_;
  db_worker& worker_;
  fixture_seeder& seeder_;
  fixture_upkeep_options options_;
  std::function<void(bool)> on_result_;

  bool seeding_ = false;
  fixture_upkeep_stats stats_;
  std::uint64_t seen_connects_ = 0;  // the DB thread's session counter after the last seeding
  std::chrono::steady_clock::time_point next_periodic_{};
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds retry_backoff_{0};
  std::chrono::steady_clock::time_point next_ping_{};
  std::optional<std::chrono::steady_clock::time_point> prune_at_;
  std::uint64_t failed_in_a_row_ = 0;

  std::shared_ptr<bool> running_ = std::make_shared<bool>(false);
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace meshwatch

#include "daemon/db/fixture_upkeep.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace meshwatch {
namespace asio = boost::asio;

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A ping only opens a session; the DB thread's connect timeout (3 s) bounds it already.
constexpr milliseconds ping_timeout{std::chrono::seconds{5}};
// Past the moment a spared leftover turns stale (whole seconds, rounded up by the query).
constexpr milliseconds follow_up_margin{std::chrono::milliseconds{500}};

milliseconds left_until(clock_type::time_point deadline) {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()));
}

milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
}

std::string describe(const cleanup_report& r) {
  return std::to_string(r.memberships) + " membership(s), " + std::to_string(r.api_keys) + " api key(s), " +
         std::to_string(r.alert_rules) + " alert rule(s), " + std::to_string(r.events) + " event(s), " +
         std::to_string(r.issues) + " issue(s), " + std::to_string(r.alerts) + " alert(s)";
}

bool pruned_any(const cleanup_report& r) {
  return r.memberships + r.api_keys + r.alert_rules + r.events + r.issues + r.alerts > 0;
}

}  // namespace

std::string_view to_string(seed_reason reason) {
  switch (reason) {
    case seed_reason::first: return "first";
    case seed_reason::periodic: return "periodic";
    case seed_reason::retry: return "retry after a failed seeding";
    case seed_reason::reconnected: return "new database session";
  }
  return "unknown";
}

fixture_upkeep::fixture_upkeep(std::string target, db_worker& worker, fixture_seeder& seeder,
                               fixture_upkeep_options options, std::function<void(bool)> on_result)
    : target_(std::move(target)),
      worker_(worker),
      seeder_(seeder),
      options_(std::move(options)),
      on_result_(std::move(on_result)) {}

fixture_upkeep::~fixture_upkeep() { stop(); }

asio::awaitable<bool> fixture_upkeep::seed_now(seed_reason reason, milliseconds timeout) {
  if (seeding_) {
    // One seeding per target at a time: two would interleave resets and prunes.
    spdlog::debug("target {}: seeding ({}) skipped, one is running", target_, to_string(reason));
    co_return false;
  }
  seeding_ = true;
  ++stats_.seedings;
  const auto started = clock_type::now();
  const auto deadline = started + timeout;
  // After an outage or a failed seeding, interrupted probe runs may have left rows behind.
  const bool recovering = reason == seed_reason::retry || reason == seed_reason::reconnected;

  db_outcome<seed_report> seeded = co_await seeder_.seed(timeout);
  // Whatever the outcome, the session counter now includes the seeding's own connect.
  seen_connects_ = worker_.stats().connects;
  next_periodic_ = started + options_.period;
  if (!seeded) {
    ++stats_.failures;
    stats_.seeded = false;
    retry_backoff_ =
        retry_backoff_.count() == 0 ? options_.retry_initial : std::min(retry_backoff_ * 2, options_.period);
    retry_at_ = clock_type::now() + retry_backoff_;
    if (failed_in_a_row_++ == 0) {
      spdlog::warn(
          "target {}: seeding the synthetic tenant failed ({}): {}; retrying within {} ms, at once when "
          "the database is back",
          target_, to_string(reason), seeded.error().message, retry_backoff_.count());
    } else {
      spdlog::debug("target {}: seeding failed again ({}): {}", target_, to_string(reason),
                    seeded.error().message);
    }
    if (on_result_) on_result_(false);
    seeding_ = false;
    co_return false;
  }

  const std::uint64_t failed_before = failed_in_a_row_;
  failed_in_a_row_ = 0;
  retry_backoff_ = milliseconds{0};
  stats_.seeded = true;
  if (on_result_) on_result_(true);
  if (!seeded.value().partition_problem.empty()) {
    spdlog::warn("target {}: {}", target_, seeded.value().partition_problem);
  }

  cleanup_options cleanup = options_.cleanup;
  if (recovering) {
    cleanup.stale_after = std::min(cleanup.stale_after, options_.recovery_stale_after);
  }
  std::string pruned = "nothing pruned (no time left)";
  std::optional<std::chrono::seconds> spared_stale_in;
  const milliseconds left = left_until(deadline);
  if (left.count() > 0) {
    db_outcome<cleanup_report> cleaned = co_await seeder_.cleanup(cleanup, left);
    if (!cleaned) {
      spdlog::warn("target {}: cleaning synthetic leftovers failed: {}", target_, cleaned.error().message);
      pruned = "pruning failed";
      spared_stale_in = options_.recovery_stale_after;  // try again once everything is stale
    } else {
      pruned = "pruned " + describe(cleaned.value());
      spared_stale_in = cleaned.value().spared_stale_in;
    }
  }
  if (recovering) {
    ++stats_.recovery_prunes;
    follow_up(spared_stale_in);
    spdlog::info("target {}: synthetic tenant re-seeded ({}, after {} failed attempt(s)) in {} ms; {}",
                 target_, to_string(reason), failed_before, since(started).count(), pruned);
  } else {
    spdlog::debug("target {}: synthetic tenant seeded ({}) in {} ms; {}", target_, to_string(reason),
                  since(started).count(), pruned);
  }
  seeding_ = false;
  co_return true;
}

asio::awaitable<void> fixture_upkeep::prune_only() {
  seeding_ = true;
  cleanup_options cleanup = options_.cleanup;
  cleanup.stale_after = std::min(cleanup.stale_after, options_.recovery_stale_after);
  db_outcome<cleanup_report> cleaned = co_await seeder_.cleanup(cleanup, options_.seed_timeout);
  ++stats_.recovery_prunes;
  if (!cleaned) {
    // The next new session or failed seeding starts over; nothing more is scheduled here.
    spdlog::debug("target {}: follow-up prune failed: {}", target_, cleaned.error().message);
  } else {
    if (pruned_any(cleaned.value())) {
      spdlog::info("target {}: follow-up prune after the recovery: {}", target_, describe(cleaned.value()));
    }
    follow_up(cleaned.value().spared_stale_in);
  }
  seeding_ = false;
}

void fixture_upkeep::follow_up(std::optional<std::chrono::seconds> spared_stale_in) {
  // A leftover spared as too young is pruned as soon as it counts as interrupted; rows of a
  // run in progress are gone by then (the run removes them), which ends the chain.
  if (spared_stale_in) {
    prune_at_ = clock_type::now() + *spared_stale_in + follow_up_margin;
  } else {
    prune_at_.reset();
  }
}

asio::awaitable<void> fixture_upkeep::ping() {
  // Named before the co_await (g++ 12 and lambda temporaries, STYLE.md).
  std::function<bool(pqxx::connection&)> nothing = [](pqxx::connection&) { return true; };
  db_outcome<bool> pinged = co_await worker_.run<bool>(std::move(nothing), ping_timeout);
  if (!pinged) {
    spdlog::trace("target {}: still no database session: {}", target_, pinged.error().message);
  }
}

asio::awaitable<void> fixture_upkeep::loop(std::shared_ptr<bool> running) {
  while (*running) {
    timer_->expires_after(options_.check_every);
    auto [ec] = co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || !*running) co_return;
    if (seeding_) continue;  // a seed_now() from elsewhere is running
    const auto now = clock_type::now();
    const db_worker_stats worker = worker_.stats();
    if (worker.connects != seen_connects_) {
      // A new session: the previous one was lost (PostgreSQL restarted or was unreachable),
      // so probe runs may have been cut off half-way. Re-seed now rather than at the period.
      ++stats_.reconnects;
      co_await seed_now(seed_reason::reconnected, options_.seed_timeout);
    } else if (failed_in_a_row_ > 0 && now >= retry_at_) {
      co_await seed_now(seed_reason::retry, options_.seed_timeout);
    } else if (now >= next_periodic_) {
      co_await seed_now(seed_reason::periodic, options_.seed_timeout);
    } else if (prune_at_ && now >= *prune_at_) {
      prune_at_.reset();
      co_await prune_only();
    } else if (!worker.connected && now >= next_ping_) {
      next_ping_ = now + options_.ping_every;
      co_await ping();
    }
  }
}

void fixture_upkeep::start(asio::any_io_executor executor, milliseconds period) {
  if (timer_) return;
  options_.period = period;
  timer_ = std::make_unique<asio::steady_timer>(executor);
  *running_ = true;
  // The first seeding has just been made (seed_now before start): the period counts from now.
  next_periodic_ = clock_type::now() + options_.period;
  asio::co_spawn(executor, loop(running_), asio::detached);
}

void fixture_upkeep::stop() {
  *running_ = false;
  if (timer_) timer_->cancel();
}

}  // namespace meshwatch

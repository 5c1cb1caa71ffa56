#include "tests/twin/heartbeats.hpp"

#include <functional>
#include <thread>

#include "tests/twin/pipeline.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

void every(std::chrono::milliseconds period, twin_context& ctx, std::function<void()> tick) {
  std::thread([period, &ctx, tick = std::move(tick)] {
    auto next = std::chrono::steady_clock::now();
    for (;;) {
      next += period;
      std::this_thread::sleep_until(next);
      if (!ctx.faults.heartbeats_stopped) tick();
    }
  }).detach();
}

// Spike checker (API.md §1.6): archived issues with more than max(10, 10 × the 7-day average
// hourly rate) events in the last hour go back to unresolved. Prints only when it did something.
void spike_check(twin_context& ctx) {
  auto r = ctx.db.query(
      "UPDATE issues i SET status = 'unresolved' WHERE i.status = 'archived' AND "
      "(SELECT count(*) FROM events e WHERE e.issue_id = i.id AND e.received_at > now() - interval '1 hour') "
      "> "
      "GREATEST(10, 10 * (SELECT count(*) FROM events e WHERE e.issue_id = i.id "
      "AND e.received_at > now() - interval '7 days')::float8 / 168)");
  if (!r.ok()) {
    ctx.con.out("[Mesher] Spike checker error: " + *r.error);
  } else if (r.affected > 0) {
    ctx.con.out("[Mesher] Spike checker: escalated " + std::to_string(r.affected) + " archived issues");
  }
}

// Retention cleaner (API.md §5.7): per-project retention, then partitions older than 90 days.
void retention_clean(twin_context& ctx) {
  auto deleted = ctx.db.query(
      "DELETE FROM events e USING projects p WHERE e.project_id = p.id "
      "AND e.received_at < now() - make_interval(days => p.retention_days)");
  if (!deleted.ok()) {
    ctx.con.out("[Mesher] Retention cleanup error: " + *deleted.error);
    return;
  }
  ctx.con.out("[Mesher] Retention cleanup: deleted " + std::to_string(deleted.affected) + " expired events");
  auto expired = ctx.db.query(
      "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events' AND c.relname ~ '^events_[0-9]{8}$' "
      "AND to_date(substr(c.relname, 8), 'YYYYMMDD') < current_date - 90 ORDER BY 1");
  if (!expired.ok()) {
    ctx.con.out("[Mesher] Retention cleanup error: " + *expired.error);
    return;
  }
  for (std::size_t i = 0; i < expired.rows.size(); ++i) {
    std::string name = expired.text(i, 0);
    if (ctx.db.query("DROP TABLE IF EXISTS " + name).ok())
      ctx.con.out("[Mesher] Dropped expired partition: " + name);
  }
}

}  // namespace

void start_heartbeats(twin_context& ctx, const intervals& timing) {
  every(timing.load, ctx, [&ctx] {
    long n = ctx.ingest_requests.exchange(0);
    ctx.con.out("[Mesher] Load monitor: " + std::to_string(n) + " events/5s, 0 peers");
  });
  every(timing.health, ctx, [&ctx] { ctx.con.out("[Mesher] Health check: all services responsive"); });
  every(timing.alert, ctx, [&ctx] { ctx.con.out(evaluate_threshold_rules(ctx)); });
  every(timing.spike, ctx, [&ctx] { spike_check(ctx); });
  every(timing.retention, ctx, [&ctx] { retention_clean(ctx); });
}

}  // namespace meshwatch::twin

#include "daemon/db_probes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/db/db_metrics.hpp"
#include "daemon/db/db_worker.hpp"
#include "daemon/db/fixture_seeder.hpp"
#include "daemon/db/pg_checks.hpp"
#include "daemon/db/pg_query_poll.hpp"
#include "daemon/stream_subscriber.hpp"
#include "probes/http_probe.hpp"
#include "probes/json_body.hpp"
#include "probes/json_check.hpp"

namespace meshwatch {
namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

struct target_databases::target_db {
  target_db(const database_config& db, fixtures_config fixtures)
      : worker(db), seeder(worker, std::move(fixtures)) {}
  db_worker worker;
  fixture_seeder seeder;
};

namespace {

probe_result start_result(const probe_config& probe, const probe_target& target) {
  probe_result r;
  auto labels = describe_probe(probe);
  r.probe = probe.name;
  r.target = target.name;
  r.kind = labels.kind;
  r.route = labels.route;
  r.method = labels.method;
  r.started_wall = std::chrono::system_clock::now();
  r.started = clock::now();
  return r;
}

probe_result& finish(probe_result& r, std::optional<failure_reason> reason, std::string detail) {
  r.passed = !reason;
  r.reason = reason;
  r.detail = std::move(detail);
  r.duration = clock::now() - r.started;
  return r;
}

std::chrono::milliseconds left_until(clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
}

asio::awaitable<probe_result> run_pg_probe(db_worker* worker, db_metrics* metrics, probe_config probe,
                                           probe_target target) {
  auto r = start_result(probe, target);
  if (worker == nullptr) {
    co_return finish(r, failure_reason::internal, "no database configured for this target");
  }
  const auto spec = std::get<pg_probe>(probe.kind);
  // A named context, not the default argument: g++ 12 mishandles defaulted class-type
  // arguments of a coroutine called inside co_await (double destruction).
  pg_check_context context;
  auto checked = co_await run_pg_check(*worker, spec, probe.timeout, context);
  if (metrics != nullptr) metrics->update_from(target.name, spec.check, checked);
  r.phases.emplace_back("query", checked.elapsed);
  co_return finish(
      r, checked.passed ? std::nullopt : std::optional(checked.reason.value_or(failure_reason::db_error)),
      checked.detail);
}

}  // namespace

asio::awaitable<probe_result> run_pipeline_probe(db_worker* worker, probe_config probe, probe_target target,
                                                 template_vars vars) {
  auto r = start_result(probe, target);
  const auto spec = std::get<pipeline_probe>(probe.kind);
  const auto deadline = r.started + probe.timeout;

  // The subscriber opens first: Mesher pushes before it answers the request that caused it.
  std::shared_ptr<stream_subscriber> subscriber;
  bool needs_stream = false;
  for (const auto& step : spec.steps) {
    needs_stream = needs_stream || std::holds_alternative<ws_wait_step>(step.action);
  }
  if (needs_stream) {
    auto project = vars.find("project_id");
    if (!target.ws || project == vars.end()) {
      co_return finish(r, failure_reason::internal,
                       "ws_wait needs the target's ws endpoint and a project_id");
    }
    auto error = std::make_shared<std::string>();
    subscriber = co_await stream_subscriber::open(*target.ws, "/stream/projects/" + project->second,
                                                  left_until(deadline), error);
    if (!subscriber) {
      co_return finish(r, failure_reason::ws_handshake, *error);
    }
  }

  for (const auto& step : spec.steps) {
    auto step_started = clock::now();
    auto budget = left_until(deadline);
    if (step.within) budget = std::min(budget, *step.within);
    auto fail = [&](failure_reason reason, const std::string& detail) -> probe_result& {
      if (subscriber) subscriber->close();
      return finish(r, reason, "step " + step.name + ": " + detail);
    };
    if (budget.count() <= 0) {
      co_return fail(failure_reason::pipeline_stalled, "no time left");
    }

    if (const auto* http = std::get_if<http_request>(&step.action)) {
      auto outcome =
          co_await perform_http_step(target.http, *http, step.expect, vars, budget, default_body_cap);
      r.http_status = outcome.exchange.status;
      if (!outcome.check.passed) {
        co_return fail(outcome.check.reason.value_or(failure_reason::internal), outcome.check.detail);
      }
      for (const auto& [name, pointer] : step.capture) {
        if (!outcome.body || !outcome.body->ok())
          co_return fail(failure_reason::invalid_json, "capture " + name);
        auto value = capture_json_value(outcome.body->root(), pointer);
        if (!value) co_return fail(failure_reason::shape, "capture " + name + ": " + value.error);
        vars[name] = *value.value;
      }
      if (outcome.check.degraded) r.degraded = true;
    } else if (const auto* pg = std::get_if<pg_query_step>(&step.action)) {
      if (worker == nullptr)
        co_return fail(failure_reason::internal, "no database configured for this target");
      pg_poll_options poll_options;
      auto polled = co_await poll_pg_query(*worker, *pg, vars, budget, poll_options);
      if (!polled.ok()) {
        co_return fail(polled.error().reason, polled.error().message);
      }
      for (const auto& [name, column] : step.capture) {
        auto it = polled.value().first_row.find(column);
        if (it == polled.value().first_row.end())
          co_return fail(failure_reason::shape, "no column " + column);
        vars[name] = it->second;
      }
    } else if (const auto* wait = std::get_if<ws_wait_step>(&step.action)) {
      // Named before the co_await: g++ 12 destroys a capturing lambda temporary inside a
      // co_await full-expression twice (research/toolchain.md).
      std::function<bool(const std::string&)> matches = [match = wait->match,
                                                         current_vars = vars](const std::string& message) {
        auto body = json_body::parse(message);
        return body.ok() && check_json(match, body.root(), current_vars).passed;
      };
      auto wait_until = clock::now() + budget;
      auto found = co_await subscriber->wait_for(std::move(matches), wait_until);
      if (!found) {
        co_return fail(failure_reason::pipeline_stalled,
                       "no matching push within " + std::to_string(budget.count()) + " ms");
      }
      if (!step.capture.empty()) {
        auto body = json_body::parse(subscriber->message(*found));
        for (const auto& [name, pointer] : step.capture) {
          auto value = capture_json_value(body.root(), pointer);
          if (!value) co_return fail(failure_reason::shape, "capture " + name + ": " + value.error);
          vars[name] = *value.value;
        }
      }
    }
    if (step.expect.degraded_after && clock::now() - step_started > *step.expect.degraded_after) {
      r.degraded = true;
    }
    r.stages.emplace_back(step.name, clock::now() - r.started);
  }
  if (subscriber) subscriber->close();
  co_return finish(r, std::nullopt, "");
}

target_databases::target_databases(const config& cfg, prometheus::Registry* registry) {
  std::vector<std::string> names;
  for (const auto& target : cfg.targets) {
    if (!target.database) continue;
    targets_.emplace(target.name, std::make_unique<target_db>(*target.database, target.fixtures));
    names.push_back(target.name);
  }
  if (registry != nullptr) {
    metrics_ = std::make_unique<db_metrics>(*registry, names);
  }
}

target_databases::~target_databases() { stop(); }

void target_databases::stop() {
  *refreshing_ = false;
  if (refresh_timer_) refresh_timer_->cancel();
  for (auto& [name, db] : targets_) db->worker.stop();
}

namespace {

constexpr std::chrono::seconds refresh_seed_timeout{15};

asio::awaitable<void> refresh_loop(target_databases* dbs, asio::steady_timer* timer,
                                   std::shared_ptr<bool> running, std::chrono::milliseconds period,
                                   std::function<void()> after_first_seed) {
  co_await dbs->seed_all(refresh_seed_timeout);
  if (!*running) co_return;
  if (after_first_seed) after_first_seed();
  while (*running) {
    timer->expires_after(period);
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || !*running) co_return;
    co_await dbs->seed_all(refresh_seed_timeout);
  }
}

}  // namespace

void target_databases::start_refresh(asio::io_context& io, std::chrono::milliseconds period,
                                     std::function<void()> after_first_seed) {
  refresh_timer_ = std::make_unique<asio::steady_timer>(io);
  *refreshing_ = true;
  asio::co_spawn(io,
                 refresh_loop(this, refresh_timer_.get(), refreshing_, period, std::move(after_first_seed)),
                 asio::detached);
}

probe_runners target_databases::runners() {
  probe_runners runners;
  runners.pg = [this](probe_config probe, probe_target target,
                      template_vars) -> asio::awaitable<probe_result> {
    auto it = targets_.find(target.name);
    db_worker* worker = it == targets_.end() ? nullptr : &it->second->worker;
    co_return co_await run_pg_probe(worker, metrics_.get(), std::move(probe), std::move(target));
  };
  runners.pipeline = [this](probe_config probe, probe_target target,
                            template_vars vars) -> asio::awaitable<probe_result> {
    auto it = targets_.find(target.name);
    db_worker* worker = it == targets_.end() ? nullptr : &it->second->worker;
    co_return co_await run_pipeline_probe(worker, std::move(probe), std::move(target), std::move(vars));
  };
  return runners;
}

asio::awaitable<bool> target_databases::seed_all(std::chrono::milliseconds timeout) {
  bool all = true;
  for (auto& [name, db] : targets_) {
    auto seeded = co_await db->seeder.seed(timeout);
    if (!seeded.ok()) {
      spdlog::warn("target {}: seeding the synthetic tenant failed: {}", name, seeded.error().message);
      if (metrics_) metrics_->set_up(name, false);
      all = false;
      continue;
    }
    if (metrics_) metrics_->set_up(name, true);
    if (!seeded.value().partition_problem.empty()) {
      spdlog::warn("target {}: {}", name, seeded.value().partition_problem);
    }
    cleanup_options cleanup;
    auto cleaned = co_await db->seeder.cleanup(cleanup, timeout);
    if (!cleaned.ok()) {
      spdlog::warn("target {}: cleaning synthetic leftovers failed: {}", name, cleaned.error().message);
    }
  }
  co_return all;
}

}  // namespace meshwatch

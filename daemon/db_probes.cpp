#include "daemon/db_probes.hpp"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/db/db_metrics.hpp"
#include "daemon/db/db_worker.hpp"
#include "daemon/db/fixture_seeder.hpp"
#include "daemon/db/fixture_upkeep.hpp"
#include "daemon/db/pg_checks.hpp"
#include "daemon/db/pg_query_poll.hpp"
#include "daemon/stream_metrics.hpp"
#include "daemon/stream_monitor.hpp"
#include "daemon/stream_push_wait.hpp"
#include "daemon/target_resolver.hpp"
#include "probes/http_probe.hpp"
#include "probes/json_body.hpp"
#include "probes/json_check.hpp"

namespace meshwatch {
namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

struct target_databases::target_db {
  target_db(const std::string& name, const database_config& db, fixtures_config fixtures,
            fixture_upkeep_options upkeep_options, std::function<void(bool)> on_seeded)
      : worker(db),
        seeder(worker, std::move(fixtures)),
        upkeep(name, worker, seeder, std::move(upkeep_options), std::move(on_seeded)) {}
  db_worker worker;
  fixture_seeder seeder;
  fixture_upkeep upkeep;  // every seeding of this target goes through it (one at a time)
  // PostgreSQL's `ssl` (D13, F-32), read after each successful seeding; "" until known. Shared
  // with the reading coroutine, which may finish after this object is gone.
  std::shared_ptr<std::string> pg_ssl = std::make_shared<std::string>();
  bool pg_ssl_reading = false;  // one read at a time
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

// What a ws_wait step needs to know about the request that should cause its push.
struct pushed_by {
  clock::time_point started;
  std::uint64_t seq;  // the subscriber's next push seq when the request went out
};

}  // namespace

bool needs_stream(const probe_config& probe) {
  const auto* pipeline = std::get_if<pipeline_probe>(&probe.kind);
  if (pipeline == nullptr) {
    return false;
  }
  return std::any_of(pipeline->steps.begin(), pipeline->steps.end(), [](const pipeline_step& step) {
    return std::holds_alternative<ws_wait_step>(step.action);
  });
}

asio::awaitable<probe_result> run_pipeline_probe(db_worker* worker, stream_monitor* stream,
                                                 probe_config probe, probe_target target,
                                                 template_vars vars) {
  auto r = start_result(probe, target);
  const auto spec = std::get<pipeline_probe>(probe.kind);
  const auto deadline = r.started + probe.timeout;

  // Pushes are matched on the target's long-lived subscriber; a pipeline that cannot observe
  // them fails at once rather than sending requests whose pushes nobody can see.
  if (needs_stream(probe)) {
    if (stream == nullptr) {
      co_return finish(r, failure_reason::internal,
                       "ws_wait needs the target's stream subscriber (a ws URL)");
    }
    if (!stream->connected()) {
      // Right after start-up the first connection attempt may still be under way.
      co_await stream->wait_connected(deadline);
    }
    if (!stream->connected()) {
      auto status = stream->status();
      co_return finish(r, failure_reason::ws_closed,
                       "the stream subscriber is not connected" +
                           (status.last_disconnect.empty()
                                ? std::string()
                                : " (" + status.last_disconnect + ": " + status.last_error + ")"));
    }
  }
  std::optional<pushed_by> last_request;
  const pushed_by run_start{r.started, stream != nullptr ? stream->next_push_seq() : 0};

  for (std::size_t index = 0; index < spec.steps.size(); ++index) {
    const auto& step = spec.steps[index];
    auto step_started = clock::now();
    auto budget = left_until(deadline);
    if (step.within) budget = std::min(budget, *step.within);
    auto fail = [&](failure_reason reason, const std::string& detail) -> probe_result& {
      return finish(r, reason, "step " + step.name + ": " + detail);
    };
    if (budget.count() <= 0) {
      co_return fail(failure_reason::pipeline_stalled, "no time left");
    }

    if (const auto* http = std::get_if<http_request>(&step.action)) {
      // Mesher pushes before it answers the request that caused the push: note where the
      // subscriber's pushes stood before the request went out.
      last_request = pushed_by{clock::now(), stream != nullptr ? stream->next_push_seq() : 0};
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
      const pushed_by cause = last_request.value_or(run_start);
      auto wait_until = clock::now() + budget;
      auto found = co_await stream->wait_for_push(std::move(matches), cause.seq, wait_until);
      if (!found) {
        missing_push_facts facts;
        facts.connected = stream->connected();
        facts.connected_since = stream->connected_since();
        facts.request_started = cause.started;
        facts.proved = push_proved_before(spec, index);
        facts.evicted = stream->pushes_evicted_since(cause.seq);
        auto verdict = judge_missing_push(facts);
        if (verdict == missing_push::silent_drop) {
          stream->record_silent_drop();
        }
        co_return fail(reason_for(verdict), describe(verdict) + " (no matching push within " +
                                                std::to_string(budget.count()) + " ms)");
      }
      if (last_request) {
        stream->record_push_latency(found->received - last_request->started);
      }
      if (!step.capture.empty()) {
        auto body = json_body::parse(found->text);
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
  co_return finish(r, std::nullopt, "");
}

struct target_databases::target_stream {
  target_config target;  // resolved when the subscriber starts (resolution may fail)
  std::string path;
  std::shared_ptr<stream_series> series;
  std::unique_ptr<stream_monitor> monitor;
  bool started = false;
};

namespace {

// Past every run's own timeout, a row it created cannot belong to a run still in progress;
// the margin covers the DB thread's completion grace and a loaded loop.
constexpr std::chrono::seconds recovery_prune_margin{5};

fixture_upkeep_options upkeep_options_for(const config& cfg) {
  fixture_upkeep_options options;
  std::chrono::milliseconds longest{0};
  for (const auto& probe : cfg.probes) {
    if (probe.enabled && std::holds_alternative<pipeline_probe>(probe.kind)) {
      longest = std::max(longest, probe.timeout);
    }
  }
  options.recovery_stale_after = std::min(
      options.cleanup.stale_after, std::chrono::ceil<std::chrono::seconds>(longest) + recovery_prune_margin);
  return options;
}

}  // namespace

target_databases::target_databases(const config& cfg, prometheus::Registry* registry) {
  std::vector<std::string> names;
  const fixture_upkeep_options upkeep_options = upkeep_options_for(cfg);
  for (const auto& target : cfg.targets) {
    if (!target.database) continue;
    // metrics_ is made below; the callback only runs once seeding starts.
    std::function<void(bool)> on_seeded = [this, name = target.name](bool up) {
      if (metrics_) metrics_->set_up(name, up);
      if (up) read_pg_ssl(name);
    };
    targets_.emplace(target.name, std::make_unique<target_db>(target.name, *target.database, target.fixtures,
                                                              upkeep_options, std::move(on_seeded)));
    names.push_back(target.name);
  }
  if (registry != nullptr) {
    metrics_ = std::make_unique<db_metrics>(*registry, names);
  } else {
    own_registry_ = std::make_unique<prometheus::Registry>();
  }
  // Every stream series exists from start-up, connected 0 until the first handshake.
  stream_families_ =
      std::make_unique<stream_metric_families>(registry != nullptr ? *registry : *own_registry_);
  for (const auto& target : cfg.targets) {
    if (!target.ws || !target.stream.enabled) continue;
    auto stream = std::make_unique<target_stream>();
    stream->target = target;
    // The room every push about the synthetic project goes to (API.md §4.2: the UUID as stored).
    stream->path = "/stream/projects/" + target.fixtures.project_id;
    stream->series = std::make_shared<stream_series>(*stream_families_, target.name);
    stream->series->set_connected(false);
    streams_.emplace(target.name, std::move(stream));
  }
}

target_databases::~target_databases() { stop(); }

void target_databases::start_streams(asio::any_io_executor executor) {
  for (auto& [name, stream] : streams_) {
    if (stream->started) continue;
    stream->started = true;
    probe_target resolved;
    try {
      resolved = resolve_probe_target(stream->target);
    } catch (const std::exception& e) {
      spdlog::warn("target {}: no stream subscriber: {}", name, e.what());
      continue;
    }
    stream_monitor_options options;
    options.ping_interval = stream->target.stream.ping_interval;
    options.pong_timeout = stream->target.stream.pong_timeout;
    stream->monitor =
        std::make_unique<stream_monitor>(executor, name, *resolved.ws, stream->path, options, stream->series);
    stream->monitor->start();
  }
}

void target_databases::stop_streams() {
  for (auto& [name, stream] : streams_) {
    if (stream->monitor) stream->monitor->stop();
  }
}

std::vector<stream_status> target_databases::stream_statuses() const {
  std::vector<stream_status> out;
  for (const auto& [name, stream] : streams_) {
    if (stream->monitor) {
      out.push_back(stream->monitor->status());
    } else {
      stream_status idle;
      idle.target = name;
      idle.path = stream->path;
      out.push_back(idle);
    }
  }
  return out;
}

namespace {

constexpr std::chrono::seconds pg_ssl_timeout{2};

asio::awaitable<void> refresh_pg_ssl(db_worker* worker, std::shared_ptr<std::string> slot,
                                     std::shared_ptr<bool> running, bool* reading) {
  auto ssl = co_await read_pg_ssl_setting(*worker, pg_ssl_timeout);
  if (!*running) {
    co_return;  // stopped meanwhile: `reading` (in the target's entry) may be gone
  }
  *reading = false;
  if (ssl) {
    *slot = *ssl;
  }
}

}  // namespace

void target_databases::read_pg_ssl(const std::string& name) {
  auto it = targets_.find(name);
  if (it == targets_.end() || !executor_ || it->second->pg_ssl_reading) {
    return;
  }
  // Through the DB thread like every query: the loop never waits on PostgreSQL.
  it->second->pg_ssl_reading = true;
  asio::co_spawn(
      executor_,
      refresh_pg_ssl(&it->second->worker, it->second->pg_ssl, refreshing_, &it->second->pg_ssl_reading),
      asio::detached);
}

std::map<std::string, std::string> target_databases::pg_ssl_settings() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, db] : targets_) {
    out.emplace(name, *db->pg_ssl);
  }
  return out;
}

void target_databases::stop() {
  *refreshing_ = false;
  for (auto& [name, db] : targets_) db->upkeep.stop();
  stop_streams();
  for (auto& [name, db] : targets_) db->worker.stop();
}

namespace {

constexpr std::chrono::seconds first_seed_timeout{15};

asio::awaitable<void> first_seed(target_databases* dbs, std::shared_ptr<bool> running,
                                 std::function<void()> after_first_seed, std::function<void()> then) {
  co_await dbs->seed_all(first_seed_timeout);
  if (!*running) co_return;
  if (after_first_seed) after_first_seed();
  then();
}

}  // namespace

void target_databases::start_refresh(asio::io_context& io, std::chrono::milliseconds period,
                                     std::function<void()> after_first_seed) {
  // The subscribers connect while the tenant is seeded: pipelines find them connected.
  start_streams(io.get_executor());
  executor_ = io.get_executor();
  *refreshing_ = true;
  // From then on each target's upkeep re-seeds every period, soon after a failed seeding,
  // and at once when its DB thread gets a new session (PostgreSQL back after an outage).
  std::function<void()> start_upkeep = [this, executor = io.get_executor(), period] {
    for (auto& [name, db] : targets_) db->upkeep.start(executor, period);
  };
  asio::co_spawn(io, first_seed(this, refreshing_, std::move(after_first_seed), std::move(start_upkeep)),
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
    auto stream_it = streams_.find(target.name);
    stream_monitor* stream = stream_it == streams_.end() ? nullptr : stream_it->second->monitor.get();
    co_return co_await run_pipeline_probe(worker, stream, std::move(probe), std::move(target),
                                          std::move(vars));
  };
  return runners;
}

asio::awaitable<bool> target_databases::seed_all(std::chrono::milliseconds timeout) {
  bool all = true;
  for (auto& [name, db] : targets_) {
    // Logs, the db_up gauge and pruning are the upkeep's; it refuses a second seeding at once.
    const bool seeded = co_await db->upkeep.seed_now(seed_reason::first, timeout);
    all = all && seeded;
  }
  co_return all;
}

}  // namespace meshwatch

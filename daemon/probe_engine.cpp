#include "daemon/probe_engine.hpp"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <random>

#include "daemon/health_state.hpp"
#include "daemon/latency_baseline.hpp"
#include "daemon/probe_metrics.hpp"
#include "daemon/probe_plan.hpp"
#include "daemon/probe_runner.hpp"
#include "daemon/probe_schedule.hpp"

namespace meshwatch {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t recent_history = 30;
// Beyond its own timeout a run gets this long before the engine gives up on it: every step
// inside has its own deadline, so this only fires on a bug, and then it is a counted timeout.
constexpr std::chrono::milliseconds deadline_grace{1000};

std::string_view state_name(health_state s) {
  switch (s) {
    case health_state::unknown: return "unknown";
    case health_state::healthy: return "healthy";
    case health_state::degraded: return "degraded";
    case health_state::unhealthy: return "unhealthy";
    case health_state::suspended: return "suspended";
  }
  return "unknown";
}

}  // namespace

struct probe_instance {
  probe_config probe;
  probe_target target;
  template_vars vars;
  health_machine health;
  probe_schedule schedule;
  latency_baseline baseline;
  std::unique_ptr<probe_series> series;
  std::optional<shape_fingerprint> learned_shape;
  std::optional<probe_result> last;
  std::deque<double> recent;
  std::string suspended_because;
  double regression_ratio = 0;
  bool running = false;
};

struct probe_engine::state {
  explicit state(asio::io_context& io) : io(io) {}
  asio::io_context& io;
  probe_engine_hooks hooks;
  probe_runners runners;
  std::unique_ptr<probe_metric_families> families;
  std::vector<std::unique_ptr<probe_instance>> instances;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  bool stopped = false;
};

namespace {

void handle_result(probe_engine::state& s, probe_instance& p, probe_result result) {
  auto& hooks = s.hooks;
  if (hooks.loop_stalled && hooks.loop_stalled()) {
    result.inconclusive = true;
  } else if (!result.passed && hooks.in_start_grace && hooks.in_start_grace(p.target.name)) {
    result.starting = true;
  }

  if (result.inconclusive || result.starting) {
    p.series->record_inconclusive();
    p.health.apply(probe_outcome::inconclusive);
  } else {
    p.series->record(result);
    auto outcome = !result.passed    ? probe_outcome::failed
                   : result.degraded ? probe_outcome::passed_slow
                                     : probe_outcome::passed;
    if (auto t = p.health.apply(outcome, result.reason)) {
      auto level = t->to == health_state::unhealthy ? spdlog::level::warn : spdlog::level::info;
      spdlog::log(level, "probe {} on {}: {} -> {}{}{}", p.probe.name, p.target.name, state_name(t->from),
                  state_name(t->to), result.passed ? "" : ": ", result.passed ? "" : result.detail);
    }
    p.series->set_healthy(p.health.healthy());

    if (result.passed) {
      auto verdict =
          p.baseline.observe(std::chrono::duration_cast<std::chrono::microseconds>(result.duration));
      if (verdict.evaluated) {
        p.regression_ratio = verdict.ratio;
        p.series->set_regression(verdict.ratio, verdict.regressed);
      }
      if (verdict.changed) {
        spdlog::log(verdict.regressed ? spdlog::level::warn : spdlog::level::info,
                    "probe {} on {}: latency {} (ratio {:.2f} against its baseline)", p.probe.name,
                    p.target.name, verdict.regressed ? "regressed" : "back to normal", verdict.ratio);
      }
    }
    if (result.shape) {
      if (p.learned_shape && p.learned_shape->hash != result.shape->hash) {
        auto diff = diff_shapes(*p.learned_shape, *result.shape);
        if (!diff.empty()) {
          p.series->count_shape_change();
          spdlog::warn("probe {} on {}: response shape changed: {}", p.probe.name, p.target.name,
                       diff.summary());
        }
      }
      p.learned_shape = result.shape;
    }
  }

  p.recent.push_back(std::chrono::duration<double>(result.duration).count());
  if (p.recent.size() > recent_history) p.recent.pop_front();
  if (hooks.on_result) hooks.on_result(result);
  p.last = std::move(result);
}

asio::awaitable<probe_result> run_guarded(probe_instance* p, const probe_runners* runners) {
  asio::steady_timer guard(co_await asio::this_coro::executor);
  guard.expires_after(p->probe.timeout + deadline_grace);
  auto outcome = co_await (run_probe_once(p->probe, p->target, p->vars, runners) ||
                           guard.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 0) {
    co_return std::get<0>(std::move(outcome));
  }
  probe_result late;
  late.probe = p->probe.name;
  late.target = p->target.name;
  late.reason = failure_reason::timeout;
  late.detail = "probe exceeded its deadline";
  late.duration = p->probe.timeout + deadline_grace;
  late.started_wall = std::chrono::system_clock::now();
  co_return late;
}

asio::awaitable<void> probe_loop(std::shared_ptr<probe_engine::state> s, std::size_t index) {
  auto& p = *s->instances[index];
  auto& timer = *s->timers[index];
  auto next = p.schedule.first_run(clock::now());
  while (!s->stopped) {
    timer.expires_at(next);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || s->stopped) co_return;

    auto now = clock::now();
    if (p.health.state() == health_state::suspended) {
      next = p.schedule.next_run(now, false);
      continue;
    }
    auto decision = p.schedule.try_start(now);
    if (!decision.run) {
      p.series->record_skipped();
      next = decision.next;
      continue;
    }
    if (s->hooks.on_probe_started) {
      s->hooks.on_probe_started(p.probe.name, p.target.name, describe_probe(p.probe).route);
    }
    p.running = true;
    probe_result result;
    try {
      result = co_await run_guarded(&p, &s->runners);
    } catch (const std::exception& e) {
      // A bug, not a Mesher failure: count it as internal and keep the loop alive.
      spdlog::error("probe {} on {}: internal error: {}", p.probe.name, p.target.name, e.what());
      result.probe = p.probe.name;
      result.target = p.target.name;
      result.reason = failure_reason::internal;
      result.detail = e.what();
      result.started_wall = std::chrono::system_clock::now();
    }
    p.running = false;
    if (s->stopped) co_return;
    handle_result(*s, p, std::move(result));
    next = p.schedule.next_run(clock::now(), p.health.state() == health_state::unhealthy);
  }
}

}  // namespace

probe_engine::probe_engine(asio::io_context& io, const config& cfg, prometheus::Registry& registry,
                           probe_engine_hooks hooks, probe_runners runners)
    : state_(std::make_shared<state>(io)) {
  state_->hooks = std::move(hooks);
  state_->runners = std::move(runners);
  state_->families = std::make_unique<probe_metric_families>(registry);
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  random_source random = [rng] { return std::uniform_real_distribution<double>(0, 1)(*rng); };

  for (auto& planned : plan_probes(cfg)) {
    auto labels = describe_probe(planned.probe);
    auto policy = make_schedule_policy(planned.probe, cfg.defaults);
    const regression_config regression = planned.probe.regression;
    auto p =
        std::make_unique<probe_instance>(probe_instance{std::move(planned.probe),
                                                        std::move(planned.target),
                                                        std::move(planned.vars),
                                                        health_machine(health_policy::from(cfg.defaults)),
                                                        probe_schedule(policy, random),
                                                        latency_baseline(baseline_policy::from(regression)),
                                                        nullptr,
                                                        {},
                                                        {},
                                                        {},
                                                        {},
                                                        0,
                                                        false});
    p->series = std::make_unique<probe_series>(*state_->families, p->target.name, p->probe.name, labels.route,
                                               labels.method, labels.kind, labels.stages);
    state_->instances.push_back(std::move(p));
    state_->timers.push_back(std::make_unique<asio::steady_timer>(io));
  }
}

probe_engine::~probe_engine() { stop(); }

void probe_engine::start() {
  state_->stopped = false;
  for (std::size_t i = 0; i < state_->instances.size(); ++i) {
    asio::co_spawn(state_->io, probe_loop(state_, i), asio::detached);
  }
}

void probe_engine::stop() {
  state_->stopped = true;
  for (auto& t : state_->timers) t->cancel();
}

void probe_engine::suspend(const std::string& probe, const std::string& target, const std::string& why) {
  for (auto& p : state_->instances) {
    if (p->probe.name == probe && p->target.name == target) {
      if (p->health.suspend()) {
        spdlog::warn("probe {} on {}: suspended: {}", probe, target, why);
      }
      p->suspended_because = why;
      p->series->set_suspended(true);
      p->series->set_healthy(false);
    }
  }
}

void probe_engine::reset_budgets(const std::string& target) {
  for (auto& p : state_->instances) {
    if (p->target.name == target) p->schedule.reset_budget();
  }
}

std::size_t probe_engine::size() const { return state_->instances.size(); }

std::vector<probe_status> probe_engine::snapshot() const {
  std::vector<probe_status> out;
  out.reserve(state_->instances.size());
  for (const auto& p : state_->instances) {
    auto labels = describe_probe(p->probe);
    probe_status st;
    st.probe = p->probe.name;
    st.target = p->target.name;
    st.kind = std::string(to_string(labels.kind));
    st.route = labels.route;
    st.method = labels.method;
    st.state = std::string(state_name(p->health.state()));
    st.has_result = p->last.has_value();
    if (p->last) st.last = *p->last;
    st.recent_seconds.assign(p->recent.begin(), p->recent.end());
    st.regressed = p->baseline.regressed();
    st.regression_ratio = p->regression_ratio;
    st.suspended_because = p->suspended_because;
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace meshwatch

#include "daemon/process/process_watcher.hpp"

#include <time.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "daemon/process/child_process.hpp"
#include "daemon/process/localhost_order.hpp"
#include "daemon/process/pid_handle.hpp"
#include "daemon/process/proc_connector.hpp"
#include "daemon/process/process_metrics.hpp"
#include "daemon/process/resource_sampler.hpp"
#include "daemon/process/restart_tracker.hpp"

namespace meshwatch {
namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

std::string_view to_string(process_event_kind kind) {
  switch (kind) {
    case process_event_kind::started: return "started";
    case process_event_kind::exited: return "exited";
    case process_event_kind::restarted: return "restarted";
    case process_event_kind::crash_loop_started: return "crash_loop_started";
    case process_event_kind::crash_loop_ended: return "crash_loop_ended";
    case process_event_kind::ready: return "ready";
    case process_event_kind::not_ready: return "not_ready";
  }
  return "unknown";
}

struct process_watcher::state : std::enable_shared_from_this<process_watcher::state> {
  state(asio::io_context& io, process_watcher_options opts, prometheus::Registry& registry, event_callback cb)
      : executor(io.get_executor()),
        options(std::move(opts)),
        on_event(std::move(cb)),
        metrics(registry, options.target, options.listeners),
        tracker(options.config.crash_loop_restarts, options.config.crash_loop_window),
        gate(options.config.start_grace),
        sampler(options.listeners),
        connector(io),
        relocate_timer(io),
        sample_timer(io),
        housekeeping_timer(io) {}

  asio::any_io_executor executor;
  process_watcher_options options;
  event_callback on_event;
  process_metrics metrics;
  restart_tracker tracker;
  readiness_gate gate;
  // When watching began: a process that started earlier printed its listening line before
  // anyone could read it (a console file is followed from its end).
  std::chrono::steady_clock::time_point watching_since = std::chrono::steady_clock::now();
  resource_sampler sampler;
  proc_connector connector;
  std::unique_ptr<process_locator> locator;  // null for exec
  std::optional<child_process> child;
  std::optional<pid_handle> handle;
  std::optional<process_identity> current;
  std::optional<process_watcher::resource_snapshot> last_resources;  // of `current` only
  std::optional<environment_snapshot> environment;                   // of the latest start
  asio::steady_timer relocate_timer;
  asio::steady_timer sample_timer;
  asio::steady_timer housekeeping_timer;
  bool running = false;
  std::string last_locate_error;  // logged on change only, not on every poll

  process_event make_event(process_event_kind kind, const process_identity& id) const {
    process_event e;
    e.kind = kind;
    e.target = options.target;
    e.process = id;
    e.wall_time = std::chrono::system_clock::now();
    e.at = clock::now();
    e.restarts_total = tracker.restarts_total();
    return e;
  }

  void emit(const process_event& e) {
    if (!on_event) {
      return;
    }
    // A throwing consumer must not take the watcher down with it.
    try {
      on_event(e);
    } catch (const std::exception& ex) {
      spdlog::error("process watcher [{}]: event consumer threw on {}: {}", options.target, to_string(e.kind),
                    ex.what());
    }
  }

  void emit_simple(process_event_kind kind, const process_identity& id, std::string detail = {}) {
    auto e = make_event(kind, id);
    e.detail = std::move(detail);
    emit(e);
  }

  void on_started(const process_identity& id);
  void look_up_localhost(pid_t pid);
  void on_exited(const process_identity& id, const exit_status& status);
  void set_ready_transition(bool became_ready);
};

namespace {

/** Milliseconds the process has run, from the kernel's own clock (exact even if attached late). */
std::chrono::milliseconds uptime_of(const process_identity& id) {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  static const std::int64_t ticks_per_second = ::sysconf(_SC_CLK_TCK);
  std::int64_t now_ms = static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
  std::int64_t start_ms = static_cast<std::int64_t>(id.start_ticks) * 1000 / ticks_per_second;
  return std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms - start_ms));
}

asio::awaitable<void> wait_for(asio::steady_timer& timer, std::chrono::milliseconds delay) {
  timer.expires_after(delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

void process_watcher::state::on_started(const process_identity& id) {
  auto now = clock::now();
  if (current != id) {
    last_resources.reset();
  }
  current = id;
  auto update = tracker.on_start(id, now);
  gate.on_start(now);
  // A process that has run longer than the grace, or that was already running when watching
  // began, printed its listening line before we could see it; waiting for it again would only
  // manufacture a readiness timeout. Readiness then rests on the fast-path probe alone.
  auto uptime = uptime_of(id);
  // 50 ms of slack: the kernel's start time is in clock ticks (10 ms), so a child started
  // right after start() must not look older than the watch.
  const bool started_before_watching = now - uptime + std::chrono::milliseconds(50) < watching_since;
  if (uptime > options.config.start_grace || started_before_watching) {
    gate.on_listening_line();
  }
  metrics.set_up(true);
  metrics.set_ready(false);

  auto started = make_event(process_event_kind::started, id);
  started.environment = take_environment_snapshot(id.pid);
  metrics.set_start_time(started.environment->start_time_seconds);
  started.detail =
      update.restarted ? "restarted" : (uptime > options.config.start_grace ? "attached" : "started");
  spdlog::info("process watcher [{}]: process {} {} ({})", options.target, id.pid, started.detail,
               describe(*started.environment));
  environment = started.environment;
  look_up_localhost(id.pid);
  emit(started);

  if (update.restarted) {
    metrics.count_restart();
    emit_simple(process_event_kind::restarted, id, "restart #" + std::to_string(tracker.restarts_total()));
  }
  if (update.crash_loop_started) {
    metrics.set_crash_looping(true);
    // Restarts after a stop are no step towards the loop; the count says only what did count.
    auto detail =
        std::to_string(tracker.restarts_in_window(clock::now())) + " restarts after crashes within " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(options.config.crash_loop_window).count()) +
        " s";
    spdlog::warn("process watcher [{}]: crash loop: {}", options.target, detail);
    emit_simple(process_event_kind::crash_loop_started, id, std::move(detail));
  }
  if (update.crash_loop_ended) {
    metrics.set_crash_looping(false);
    emit_simple(process_event_kind::crash_loop_ended, id);
  }
}

void process_watcher::state::look_up_localhost(pid_t pid) {
  // Not part of the snapshot taken on the loop: getaddrinfo blocks, so it runs on asio's
  // resolver thread and lands in the snapshot a moment later (if that process is still the latest).
  std::weak_ptr<state> weak = weak_from_this();
  resolve_localhost_order(executor, options.localhost_lookup_timeout, [weak, pid](std::string order) {
    auto self = weak.lock();
    if (!self || !self->running || !self->environment || self->environment->pid != pid) {
      return;
    }
    spdlog::info("process watcher [{}]: localhost resolves to {}", self->options.target, order);
    self->environment->localhost_order = std::move(order);
  });
}

void process_watcher::state::on_exited(const process_identity& id, const exit_status& status) {
  auto report = classify_exit(status, uptime_of(id));
  tracker.on_exit(id, report.classification == exit_classification::external_stop);
  current.reset();
  last_resources.reset();
  metrics.set_up(false);
  metrics.set_ready(false);
  metrics.count_exit(status);
  metrics.clear_usage();
  auto e = make_event(process_event_kind::exited, id);
  e.exit = report;
  e.detail = std::string(to_string(report.classification));
  spdlog::warn("process watcher [{}]: process {} exited: code '{}' signal '{}' ({}{}) after {} ms",
               options.target, id.pid, exit_code_label(status), exit_signal_label(status),
               to_string(report.classification), report.startup_regression ? ", start-up regression" : "",
               report.uptime.count());
  emit(e);
  const bool was_ready = gate.on_exit();
  // A located process is restarted by someone else (the watcher looks for the next one); the
  // exec child never is, so its death is an outage from the first moment.
  if (locator) {
    gate.expect_restart(e.at);
  }
  if (was_ready) {
    emit_simple(process_event_kind::not_ready, id, "process exited");
  }
}

void process_watcher::state::set_ready_transition(bool became_ready) {
  if (became_ready && current) {
    metrics.set_ready(true);
    spdlog::info("process watcher [{}]: process {} is ready", options.target, current->pid);
    emit_simple(process_event_kind::ready, *current);
  }
}

namespace {

/** Spawns the exec child once and watches it; the exact status comes from waitid. */
asio::awaitable<void> watch_child(std::shared_ptr<process_watcher::state> s) {
  const auto& exec = std::get<process_exec>(s->options.config.selector);
  std::string error;
  s->child = child_process::spawn(exec.argv, static_cast<bool>(s->options.on_child_output), &error);
  if (!s->child) {
    spdlog::error("process watcher [{}]: {}", s->options.target, error);
    co_return;
  }
  if (s->options.on_child_output) {
    int out = s->child->take_stdout_fd();
    int err = s->child->take_stderr_fd();
    s->options.on_child_output(out, err);
  }
  // Our unreaped child cannot lose its PID, so its identity and pidfd are stable.
  auto id = read_process_identity(s->child->pid());
  if (id) {
    s->handle = pid_handle::open(s->executor, *id, &error);
  }
  if (!id || !s->handle) {
    spdlog::error("process watcher [{}]: cannot watch child {}: {}", s->options.target, s->child->pid(),
                  error);
    co_return;
  }
  s->on_started(*id);
  auto ec = co_await s->handle->wait_exit();
  if (ec || !s->running) {
    co_return;
  }
  auto status = s->child->try_reap().value_or(exit_status::unknown());
  s->handle.reset();
  s->on_exited(*id, status);
  // No restart policy: the exec child is started once (restarting is the service manager's job).
}

/** Locates, watches, and re-locates after each exit, forever. */
asio::awaitable<void> watch_located(std::shared_ptr<process_watcher::state> s) {
  auto backoff = s->options.relocate_min;
  while (s->running) {
    std::string error;
    auto id = s->locator->locate();
    if (id) {
      s->handle = pid_handle::open(s->executor, *id, &error);
    } else {
      error = s->locator->last_error();
    }
    if (!id || !s->handle) {
      if (error != s->last_locate_error) {
        spdlog::info("process watcher [{}]: waiting for the process: {}", s->options.target, error);
        s->last_locate_error = error;
      }
      co_await wait_for(s->relocate_timer, backoff);
      backoff = std::min(backoff * 2, s->options.relocate_max);
      continue;
    }
    s->last_locate_error.clear();
    backoff = s->options.relocate_min;
    // Subscribed before anything can be missed: the handle exists, the process may exit now.
    s->connector.watch(id->pid);
    s->on_started(*id);
    auto ec = co_await s->handle->wait_exit();
    if (!s->running) {
      co_return;
    }
    exit_status status = exit_status::unknown();
    if (!ec && s->connector.active()) {
      if (auto wait_status = co_await s->connector.await_exit(id->pid, s->options.connector_wait)) {
        status = exit_status_from_wait_status(*wait_status);
      }
    }
    s->connector.unwatch(id->pid);
    s->handle.reset();
    s->locator->on_exited(*id);
    s->on_exited(*id, status);
  }
}

asio::awaitable<void> run_watch(std::shared_ptr<process_watcher::state> s) {
  try {
    if (std::holds_alternative<process_exec>(s->options.config.selector)) {
      co_await watch_child(s);
    } else {
      co_await watch_located(s);
    }
  } catch (const std::exception& ex) {
    spdlog::error("process watcher [{}]: stopped by an unexpected error: {}", s->options.target, ex.what());
  }
}

asio::awaitable<void> run_sampler(std::shared_ptr<process_watcher::state> s) {
  while (s->running) {
    if (s->current) {
      try {
        if (auto reading = s->sampler.sample(*s->current)) {
          s->metrics.observe(*reading);
          s->last_resources = process_watcher::resource_snapshot{
              reading->sample, clock::now(), std::move(reading->close_wait), reading->close_wait_truncated};
        } else {
          s->last_resources.reset();  // gone, or the PID names another process now
        }
      } catch (const std::exception& ex) {
        spdlog::error("process watcher [{}]: sampling failed: {}", s->options.target, ex.what());
      }
    }
    co_await wait_for(s->sample_timer, s->options.sample_interval);
  }
}

asio::awaitable<void> run_housekeeping(std::shared_ptr<process_watcher::state> s) {
  while (s->running) {
    co_await wait_for(s->housekeeping_timer, s->options.housekeeping_interval);
    if (!s->running) {
      co_return;
    }
    auto now = clock::now();
    auto update = s->tracker.tick(now);
    if (update.crash_loop_ended) {
      s->metrics.set_crash_looping(false);
      s->emit_simple(process_event_kind::crash_loop_ended, s->current.value_or(process_identity{}));
    }
    if (s->current && s->gate.readiness_timed_out(now)) {
      spdlog::warn("process watcher [{}]: process {} not ready after the {} ms start grace",
                   s->options.target, s->current->pid, s->options.config.start_grace.count());
      s->emit_simple(process_event_kind::not_ready, *s->current, "readiness timeout");
    }
  }
}

}  // namespace

process_watcher::process_watcher(asio::io_context& io, process_watcher_options options,
                                 prometheus::Registry& registry, event_callback on_event)
    : state_(std::make_shared<state>(io, std::move(options), registry, std::move(on_event))) {
  if (!std::holds_alternative<process_exec>(state_->options.config.selector)) {
    state_->locator =
        std::make_unique<process_locator>(state_->options.config.selector, state_->options.locator);
  }
}

process_watcher::~process_watcher() { stop(); }

void process_watcher::start() {
  auto& s = state_;
  if (s->running) {
    return;
  }
  s->running = true;
  s->watching_since = clock::now();
  bool needs_connector =
      s->options.use_proc_connector && !std::holds_alternative<process_exec>(s->options.config.selector);
  if (needs_connector) {
    std::string error;
    if (!s->connector.start(&error)) {
      spdlog::warn("process watcher [{}]: {}; exits of a non-child process will be classified 'unknown'",
                   s->options.target, error);
    }
  }
  asio::co_spawn(s->executor, run_watch(s), asio::detached);
  asio::co_spawn(s->executor, run_sampler(s), asio::detached);
  asio::co_spawn(s->executor, run_housekeeping(s), asio::detached);
}

void process_watcher::stop() {
  auto& s = state_;
  if (!s->running) {
    return;
  }
  s->running = false;
  s->relocate_timer.cancel();
  s->sample_timer.cancel();
  s->housekeeping_timer.cancel();
  if (s->handle) {
    s->handle->cancel();
  }
  s->connector.stop();
  if (s->child && !s->child->reaped()) {
    s->child->terminate(s->options.exec_stop_grace);
  }
}

void process_watcher::note_listening_line() {
  state_->set_ready_transition(state_->gate.on_listening_line());
}

void process_watcher::note_fast_path_probe(bool passed) {
  state_->set_ready_transition(state_->gate.on_fast_path_probe(passed));
}

readiness process_watcher::readiness_state() const { return state_->gate.state(); }
bool process_watcher::in_start_grace() const { return state_->gate.in_grace(clock::now()); }
std::optional<process_identity> process_watcher::current() const { return state_->current; }
std::optional<process_watcher::resource_snapshot> process_watcher::last_resources() const {
  return state_->last_resources;
}
std::optional<environment_snapshot> process_watcher::last_environment() const { return state_->environment; }
const std::vector<tcp_listener>& process_watcher::listeners() const { return state_->options.listeners; }
bool process_watcher::exit_status_available() const {
  return std::holds_alternative<process_exec>(state_->options.config.selector) || state_->connector.active();
}

}  // namespace meshwatch

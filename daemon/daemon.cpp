#include "daemon/daemon.hpp"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "daemon/admin_server.hpp"
#include "daemon/build_info.hpp"
#include "daemon/config_reload.hpp"
#include "daemon/db_probes.hpp"
#include "daemon/loop_lag_monitor.hpp"
#include "daemon/metrics_exposition.hpp"
#include "daemon/probe_engine.hpp"
#include "daemon/process_collector.hpp"
#include "daemon/reloader.hpp"
#include "daemon/self_metrics.hpp"
#include "daemon/status_page.hpp"
#include "daemon/stream_monitor.hpp"
#include "daemon/systemd_notify.hpp"
#include "daemon/systemd_watchdog.hpp"
#include "daemon/target_supervisor.hpp"

namespace meshwatch {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds lag_probe_period{100};
constexpr std::chrono::milliseconds lag_stall_threshold{1000};
// Destructive probes (discard/delete issue B, acknowledge/resolve the alert) need their rows
// back; API.md §6.1 re-seeds "every cycle".
constexpr std::chrono::minutes fixture_refresh_period{5};

}  // namespace

int run_daemon(const config& cfg, std::function<load_result()> reload) {
  asio::io_context io(1);  // one thread: every component below runs on it

  auto registry = std::make_shared<prometheus::Registry>();
  auto process_metrics = std::make_shared<process_collector>();
  self_metrics self(*registry);

  loop_lag_monitor lag(io, lag_probe_period, lag_stall_threshold,
                       [&self](double seconds) { self.set_loop_lag(seconds); });

  // Each target's DB thread: pg probes, pipelines, fixtures. Built first, destroyed last: the
  // engine's runners point into it.
  target_databases databases(cfg, registry.get());

  // The supervisor (watchers, incidents) is built before the engine, whose hooks feed it, and
  // destroyed after it.
  std::unique_ptr<target_supervisor> supervisor;
  std::unique_ptr<probe_engine> engine;
  probe_engine_hooks base_hooks;
  base_hooks.loop_stalled = [&lag] { return lag.stalled(); };
  try {
    supervisor =
        std::make_unique<target_supervisor>(io, cfg, *registry, supervisor_options_for(cfg.incidents));
    engine = std::make_unique<probe_engine>(io, cfg, *registry, supervisor->engine_hooks(base_hooks),
                                            databases.runners());
    supervisor->bind_engine(*engine);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }

  // SIGHUP and POST /-/reload share this one step. Probes and defaults are swapped with a
  // fresh engine: series of unchanged probes are the same (the registry merges), in-flight
  // runs of the old engine finish harmlessly. Before the first seeding is done the fresh engine
  // is left for that start: starting it twice would run every probe loop twice.
  bool probing = false;
  reloader config_reloader(
      cfg, std::move(reload),
      [&](const config& next) {
        auto fresh = std::make_unique<probe_engine>(io, next, *registry, supervisor->engine_hooks(base_hooks),
                                                    databases.runners());
        engine->stop();
        supervisor->bind_engine(*fresh);
        engine = std::move(fresh);
        if (probing) {
          engine->start();
        }
      },
      *registry);

  admin_server_options admin_options;
  admin_options.host = cfg.admin.listen.host;
  admin_options.port = cfg.admin.listen.port;
  admin_options.max_requests_per_second = cfg.admin.max_requests_per_second;
  admin_options.request_burst = 2.0 * cfg.admin.max_requests_per_second;
  if (cfg.admin.bearer_token) {
    admin_options.bearer_token = cfg.admin.bearer_token->reveal();
  }
  admin_server admin(io, admin_options);
  admin.add_route("/metrics", [registry, process_metrics] {
    return admin_response{200, metrics_content_type, render_metrics({registry, process_metrics})};
  });
  admin.add_route("/healthz", [&lag] {
    if (lag.stalled()) {
      return admin_response{503, "text/plain; charset=utf-8", "event loop stalled\n"};
    }
    return admin_response{200, "text/plain; charset=utf-8", "ok\n"};
  });

  admin.add_route("/status", [&engine, &supervisor, &databases] {
    return admin_response{200, "application/json",
                          compose_status_json(render_status_json(engine->snapshot()),
                                              supervisor->targets_status_json(databases.stream_statuses(),
                                                                              databases.pg_ssl_settings()),
                                              supervisor->incidents_status_json())};
  });

  admin.add_post_route("/-/reload", [&config_reloader] {
    auto decision = config_reloader.reload("POST /-/reload");
    return admin_response{
        reload_http_status(decision.outcome), "application/json", reload_response_json(decision), {}};
  });
  admin.add_route("/", [] { return status_page_response(); });

  unsigned short port = 0;
  try {
    port = admin.listen();
  } catch (const std::system_error& e) {
    spdlog::critical("cannot listen on {} for the admin server: {}", cfg.admin.listen.text(),
                     e.code().message());
    return 1;
  }

  systemd_watchdog watchdog(io);
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal_number) {
        if (ec) {
          return;
        }
        if (signal_number == SIGHUP) {
          config_reloader.reload("SIGHUP");
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("{}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        notify_stopping();
        admin.stop();
        engine->stop();
        supervisor->stop();  // bounded: an exec child gets at most 1 s between SIGTERM and SIGKILL
        databases.stop();    // bounded: cancels the in-flight statement, joins within 1.5 s
        watchdog.stop();
        lag.stop();
        io.stop();  // everything is closed; remaining handlers are dropped with the loop
      };
  signals.async_wait(on_signal);

  lag.start();
  admin.start();
  supervisor->start();
  watchdog.start();
  listen_address bound = cfg.admin.listen;
  bound.port = port;
  spdlog::info(
      "meshwatch {} ({}) admin server listening on http://{} (/, /metrics, /healthz, /status, /-/reload)",
      build_version(), build_revision(), bound.text());
  // Probes start once the synthetic tenant has been seeded (or seeding failed, which is logged
  // and visible in db_up): READY means config loaded, admin bound, first fixture attempt made.
  databases.start_refresh(io, fixture_refresh_period, [&] {
    probing = true;
    engine->start();
    spdlog::info("probing {} target(s) with {} probe run(s)", cfg.targets.size(), engine->size());
    notify_ready();
    notify_status("probing");
  });

  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace meshwatch

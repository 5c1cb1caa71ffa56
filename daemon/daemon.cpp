#include "daemon/daemon.hpp"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "daemon/admin_server.hpp"
#include "daemon/build_info.hpp"
#include "daemon/loop_lag_monitor.hpp"
#include "daemon/metrics_exposition.hpp"
#include "daemon/process_collector.hpp"
#include "daemon/self_metrics.hpp"
#include "daemon/systemd_notify.hpp"

namespace meshwatch {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds lag_probe_period{100};
constexpr std::chrono::milliseconds lag_stall_threshold{1000};

}  // namespace

int run_daemon(const config& cfg) {
  asio::io_context io(1);  // one thread: every component below runs on it

  auto registry = std::make_shared<prometheus::Registry>();
  auto process_metrics = std::make_shared<process_collector>();
  self_metrics self(*registry);

  loop_lag_monitor lag(io, lag_probe_period, lag_stall_threshold,
                       [&self](double seconds) { self.set_loop_lag(seconds); });

  admin_server_options admin_options;
  admin_options.host = cfg.admin.listen.host;
  admin_options.port = cfg.admin.listen.port;
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

  unsigned short port = 0;
  try {
    port = admin.listen();
  } catch (const std::system_error& e) {
    spdlog::critical("cannot listen on {} for the admin server: {}", cfg.admin.listen.text(),
                     e.code().message());
    return 1;
  }

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal_number) {
        if (ec) {
          return;
        }
        if (signal_number == SIGHUP) {
          spdlog::warn("SIGHUP: config reload is not built yet; keeping the running config");
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("{}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        notify_stopping();
        admin.stop();
        lag.stop();
        io.stop();  // everything is closed; remaining handlers are dropped with the loop
      };
  signals.async_wait(on_signal);

  lag.start();
  admin.start();
  listen_address bound = cfg.admin.listen;
  bound.port = port;
  spdlog::info("meshwatch {} ({}) admin server listening on http://{} (/metrics, /healthz)", build_version(),
               build_revision(), bound.text());
  spdlog::info("{} target(s), {} probe(s) configured; probing is not built yet", cfg.targets.size(),
               cfg.probes.size());
  notify_ready();
  notify_status("admin server up; probing not built yet");

  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace meshwatch

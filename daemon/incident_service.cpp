#include "daemon/incident_service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/spdlog.h>

#include "daemon/incidents/incident_json.hpp"
#include "daemon/incidents/incident_log.hpp"
#include "daemon/incidents/incident_metrics.hpp"

namespace meshwatch {
namespace asio = boost::asio;

std::optional<std::filesystem::path> incident_log_path_from(const char* state_directory) {
  if (state_directory == nullptr) {
    return std::nullopt;
  }
  // systemd joins several StateDirectory= entries with ':'; the first one is ours.
  std::string_view dirs(state_directory);
  auto first = dirs.substr(0, dirs.find(':'));
  if (first.empty()) {
    return std::nullopt;
  }
  return std::filesystem::path(first) / "incidents.jsonl";
}

struct incident_service::state {
  state(asio::io_context& io, prometheus::Registry& registry, const std::vector<std::string>& targets,
        incident_service_options opts)
      : options(std::move(opts)), metrics(registry, targets), timer(io) {
    if (options.log_path) {
      incident_log_options log_options;
      log_options.path = *options.log_path;
      log_options.max_bytes = options.log_max_bytes;
      log_options.max_files = options.log_rotated_files;
      log.emplace(log_options);
    }
    incident_callbacks callbacks;
    // The correlator outlives none of these: it is a member of this state, destroyed with it.
    callbacks.on_opened = [this](const incident& inc) { opened(inc); };
    callbacks.on_closed = [this](const incident& inc) { closed(inc); };
    callbacks.on_suspend = [this](const std::string& probe, const std::string& target,
                                  const std::string& reason) {
      if (on_suspend) {
        on_suspend(probe, target, reason);
      }
    };
    correlator.emplace(options.correlator, incident_clocks::system(), std::move(callbacks));
  }

  void opened(const incident& inc) {
    metrics.opened(inc);
    spdlog::warn("incident {} opened on {}: {}: {}", inc.id, inc.target, to_string(inc.kind), inc.summary);
  }

  void closed(const incident& inc) {
    metrics.closed(inc);
    spdlog::info("incident {} closed on {} ({})", inc.id, inc.target, inc.close_reason);
    if (log) {
      log->append(inc);  // failures are counted and logged once by the log itself
    }
  }

  incident_service_options options;
  incident_metrics metrics;
  std::optional<incident_log> log;
  std::optional<incident_correlator> correlator;
  suspend_handler on_suspend;
  asio::steady_timer timer;
  bool running = false;
};

namespace {

void schedule_tick(const std::shared_ptr<incident_service::state>& s) {
  auto now = std::chrono::steady_clock::now();
  auto at = now + s->options.tick_interval;
  if (auto deadline = s->correlator->next_deadline(); deadline && *deadline < at) {
    at = std::max(*deadline, now);
  }
  s->timer.expires_at(at);
  std::weak_ptr<incident_service::state> weak = s;
  s->timer.async_wait([weak](boost::system::error_code ec) {
    auto locked = weak.lock();
    if (!locked || ec || !locked->running) {
      return;
    }
    try {
      locked->correlator->tick();
    } catch (const std::exception& e) {
      spdlog::error("incident correlator: tick failed: {}", e.what());
    }
    schedule_tick(locked);
  });
}

}  // namespace

incident_service::incident_service(asio::io_context& io, prometheus::Registry& registry,
                                   const std::vector<std::string>& targets, incident_service_options options)
    : state_(std::make_shared<state>(io, registry, targets, std::move(options))) {
  if (state_->log) {
    spdlog::info("incident log: {}", state_->log->options().path.string());
  } else {
    spdlog::info(
        "incident log: none (no incidents.log and STATE_DIRECTORY is not set); incidents are listed on "
        "/status");
  }
}

incident_service::~incident_service() { stop(); }

void incident_service::set_suspend_handler(suspend_handler handler) {
  state_->on_suspend = std::move(handler);
}

void incident_service::start() {
  if (state_->running) {
    return;
  }
  state_->running = true;
  schedule_tick(state_);
}

void incident_service::stop() {
  if (!state_->running) {
    return;
  }
  state_->running = false;
  state_->timer.cancel();
  state_->correlator->close_all("meshwatch_stopping");
}

incident_correlator& incident_service::correlator() { return *state_->correlator; }

std::string incident_service::status_json() const {
  const auto& c = *state_->correlator;
  return incidents_status_json(c.open_incidents(), c.recent());
}

}  // namespace meshwatch

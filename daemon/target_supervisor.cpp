#include "daemon/target_supervisor.hpp"

#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "daemon/target_watch.hpp"

namespace meshwatch {
namespace asio = boost::asio;

namespace {

/**
 * SIGTERM → SIGKILL budget for all exec children together. stop() blocks the loop while it
 * waits, and the whole shutdown must stay under 2 s (Mesher itself has no SIGTERM handler and
 * dies at once; the grace only matters for a hung child).
 */
constexpr std::chrono::milliseconds exec_stop_budget{1000};
constexpr std::chrono::milliseconds min_exec_stop_grace{100};

constexpr std::string_view fast_path_route = "/__meshwatch";
constexpr std::string_view fast_path_name = "fast_path";

std::vector<std::string> target_names(const config& cfg) {
  std::vector<std::string> names;
  names.reserve(cfg.targets.size());
  for (const auto& t : cfg.targets) names.push_back(t.name);
  return names;
}

std::size_t exec_targets(const config& cfg) {
  std::size_t n = 0;
  for (const auto& t : cfg.targets) {
    if (t.process && std::holds_alternative<process_exec>(t.process->selector)) ++n;
  }
  return n;
}

/**
 * The fast path runs no Mesh code (FAILURES.md D5) and readiness waits for it after every
 * restart: crash attribution must never suspend it, however often it ran just before a crash.
 */
incident_service_options exempt_fast_path(incident_service_options options) {
  options.correlator.never_suspect = [](std::string_view probe, std::string_view route) {
    return route == fast_path_route || probe == fast_path_name;
  };
  return options;
}

console_severity to_console_severity(console_pattern_severity s) {
  switch (s) {
    case console_pattern_severity::info: return console_severity::info;
    case console_pattern_severity::warning: return console_severity::warning;
    case console_pattern_severity::error: return console_severity::error;
    case console_pattern_severity::fatal: return console_severity::fatal;
  }
  return console_severity::warning;
}

/** console.patterns as the classifier takes them (already compiled once by the config check). */
std::vector<user_pattern> user_patterns(const std::vector<console_pattern>& patterns) {
  std::vector<user_pattern> out;
  out.reserve(patterns.size());
  for (const auto& p : patterns) {
    user_pattern u;
    u.name = p.name;
    u.regex = p.regex;
    u.severity = to_console_severity(p.severity);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace

target_supervisor_options supervisor_options_for(const incidents_config& incidents) {
  target_supervisor_options options;
  options.incidents.log_path = incidents.log ? std::optional<std::filesystem::path>(*incidents.log)
                                             : incident_log_path_from(std::getenv("STATE_DIRECTORY"));
  options.incidents.log_max_bytes = incidents.max_file_bytes;
  options.incidents.log_rotated_files = static_cast<std::size_t>(incidents.rotated_files);
  return options;
}

bool is_fast_path_probe(const probe_result& r) {
  return r.kind == probe_kind_name::http && (r.route == fast_path_route || r.probe == fast_path_name);
}

target_supervisor::target_supervisor(asio::io_context& io, const config& cfg, prometheus::Registry& registry,
                                     target_supervisor_options options)
    : incidents_(io, registry, target_names(cfg), exempt_fast_path(std::move(options.incidents))) {
  auto execs = exec_targets(cfg);
  auto stop_grace = execs == 0 ? exec_stop_budget
                               : std::max(min_exec_stop_grace, exec_stop_budget / static_cast<long>(execs));

  for (const auto& tc : cfg.targets) {
    auto t = std::make_unique<target_watch>();
    auto* watch = t.get();
    t->name = tc.name;
    t->process_cfg = tc.process;
    t->console_cfg = tc.console;
    if (tc.console) {
      console_watcher_options co;
      co.target = tc.name;
      co.user_patterns = user_patterns(tc.console_patterns);
      t->console = std::make_unique<console_watcher>(
          io, registry, std::move(co),
          [this, watch](const console_event& e) { on_console_event(*watch, e); });
      // Every line, classified or not: a crash incident carries the last ones (FAILURES.md D1).
      t->console->set_line_handler([this, watch](const console_line& line) {
        incidents_.correlator().on_console_line(watch->name, line);
      });
    }
    if (tc.process) {
      process_watcher_options po;
      po.target = tc.name;
      po.config = *tc.process;
      po.exec_stop_grace = stop_grace;
      // CLOSE_WAIT sockets count on the ports the probes reach Mesher on (D10).
      po.listeners.push_back({"http", tc.http.port});
      if (tc.ws && tc.ws->port != tc.http.port) {
        po.listeners.push_back({"ws", tc.ws->port});
      }
      if (tc.console && std::holds_alternative<console_child>(*tc.console)) {
        po.on_child_output = [watch](int out_fd, int err_fd) {
          watch->console->attach_pipes(out_fd, err_fd);
        };
      }
      t->process = std::make_unique<process_watcher>(
          io, std::move(po), registry,
          [this, watch](const process_event& e) { on_process_event(*watch, e); });
    }
    targets_.push_back(std::move(t));
  }
}

target_supervisor::~target_supervisor() {
  engine_ = nullptr;  // the engine may already be gone; nothing below needs it
  stop();
}

probe_engine_hooks target_supervisor::engine_hooks(probe_engine_hooks base) {
  base.in_start_grace = [this](const std::string& target) { return in_start_grace(target); };
  base.on_probe_started = [this](const std::string& probe, const std::string& target,
                                 const std::string& route) {
    incidents_.correlator().note_probe_started(probe, target, route, std::chrono::steady_clock::now());
  };
  base.on_result = [this](const probe_result& r) { on_probe_result(r); };
  return base;
}

void target_supervisor::bind_engine(probe_engine& engine) {
  engine_ = &engine;
  incidents_.set_suspend_handler(
      [this](const std::string& probe, const std::string& target, const std::string& reason) {
        if (engine_ != nullptr) {
          engine_->suspend(probe, target, reason);
        }
      });
}

void target_supervisor::start() {
  if (running_) {
    return;
  }
  running_ = true;
  incidents_.start();
  for (auto& t : targets_) {
    if (t->console && t->console_cfg) {
      if (const auto* file = std::get_if<console_file>(&*t->console_cfg)) {
        file_follower_options fo;
        fo.path = file->path;
        t->console->follow_file(std::move(fo));
      } else if (const auto* journal = std::get_if<console_journald>(&*t->console_cfg)) {
        journald_options jo;
        jo.unit = journal->unit;
        t->console_error = t->console->follow_journald(std::move(jo));
        if (!t->console_error.empty()) {
          spdlog::error("console watcher [{}]: cannot follow the journal of {}: {}", t->name, journal->unit,
                        t->console_error);
        }
      }
      // console_child: the pipes arrive through the process watcher's on_child_output.
    }
    if (t->process) {
      t->process->start();
    }
  }
}

void target_supervisor::stop() {
  if (!running_) {
    return;
  }
  running_ = false;
  for (auto& t : targets_) {
    if (t->process) {
      t->process->stop();
    }
    if (t->console) {
      t->console->stop();
    }
  }
  incidents_.stop();
}

void target_supervisor::on_process_event(target_watch& t, const process_event& e) {
  switch (e.kind) {
    case process_event_kind::started:
      if (t.console) {
        t.console->process_started();
      }
      // A located (not spawned) process may have printed its listening line before we found
      // it; the line counts when it came after this process started.
      if (t.process && t.listening_line_wall && e.environment &&
          std::chrono::duration<double>(t.listening_line_wall->time_since_epoch()).count() >=
              e.environment->start_time_seconds) {
        t.process->note_listening_line();
      }
      break;
    case process_event_kind::restarted:
      t.restarts = e.restarts_total;
      if (engine_ != nullptr) {
        engine_->reset_budgets(t.name);  // its rate limiter restarted with it
      }
      break;
    case process_event_kind::exited:
      t.last_exit = e.exit;
      if (t.console) {
        t.console->process_exited();  // a panic block before the exit is reported now
      }
      break;
    default: break;
  }
  incidents_.correlator().on_process_event(e);
}

void target_supervisor::on_console_event(target_watch& t, const console_event& e) {
  if (e.kind == console_event_kind::http_listening) {
    t.listening_line_wall = e.time.wall;
    if (t.process) {
      t.process->note_listening_line();
    }
  }
  incidents_.correlator().on_console_event(e);
}

void target_supervisor::on_probe_result(const probe_result& r) {
  if (is_fast_path_probe(r) && !r.inconclusive) {
    if (auto* t = find(r.target); t != nullptr && t->process) {
      t->process->note_fast_path_probe(r.passed);
    }
  }
  incidents_.correlator().on_probe_result(r);
}

bool target_supervisor::in_start_grace(const std::string& target) const {
  auto* t = find(target);
  return t != nullptr && t->process && t->process->in_start_grace();
}

target_watch* target_supervisor::find(const std::string& target) const {
  for (const auto& t : targets_) {
    if (t->name == target) return t.get();
  }
  return nullptr;
}

std::string target_supervisor::targets_status_json(const std::vector<stream_status>& streams,
                                                   const std::map<std::string, std::string>& pg_ssl) const {
  return render_targets_status(targets_, streams, pg_ssl);
}

std::string target_supervisor::incidents_status_json() const { return incidents_.status_json(); }

std::string compose_status_json(const std::string& probes_document, const std::string& targets_json,
                                const std::string& incidents_json) {
  // probes_document is one JSON object; reopen it to add our keys after "probes".
  std::string out = probes_document;
  auto close = out.find_last_of('}');
  if (close == std::string::npos) {
    out = "{\"probes\":[]}";
    close = out.size() - 1;
  }
  out.erase(close);
  out += ",\"targets\":";
  out += targets_json;
  out += ",\"incidents\":";
  out += incidents_json;
  out += '}';
  return out;
}

}  // namespace meshwatch

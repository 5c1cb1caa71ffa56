#pragma once
// Wires the watchers of every configured target into the running daemon (DESIGN.md §1, §6–§8):
// per target a process watcher (when `process:` is set) and a console watcher (when `console:`
// is set; `child` reads the pipes of the process watcher's exec child), and one incident
// service for the daemon. The connections it makes:
//   console `http_listening`         → process watcher readiness (the listening line)
//   process started / exited         → console watcher (heartbeat ages, flush of a panic block)
//   process restarted                → probe engine: request budgets reset
//   process, console events, probes  → incident correlator
//   fast-path probe results          → process watcher readiness (the passing probe)
//   crash attribution                → probe engine: suspend the suspected probe
// Everything runs on the loop thread.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/incident_service.hpp"
#include "daemon/probe_engine.hpp"

namespace boost::asio {
class io_context;
}
namespace prometheus {
class Registry;
}

namespace meshwatch {

struct target_watch;  // one target's watchers and what /status shows of them
struct stream_status;

struct target_supervisor_options {
  incident_service_options incidents;
};

/**
 * The incident log as configured (`incidents:`), else under $STATE_DIRECTORY when systemd sets it
 * (see incident_service.hpp), else none.
 */
target_supervisor_options supervisor_options_for(const incidents_config& incidents);

/** An http probe on `/__meshwatch` or named `fast_path`: the readiness probe of FAILURES.md D5. */
bool is_fast_path_probe(const probe_result& r);

class target_supervisor {
 public:
  /**
   * Builds the watchers; nothing runs before start(). Throws std::invalid_argument when a
   * selector or console pattern is unusable (a config error to report and exit on).
   */
  target_supervisor(boost::asio::io_context& io, const config& cfg, prometheus::Registry& registry,
                    target_supervisor_options options = {});
  ~target_supervisor();
  target_supervisor(const target_supervisor&) = delete;
  target_supervisor& operator=(const target_supervisor&) = delete;

  /** The engine hooks that feed this supervisor; `base.loop_stalled` is kept. */
  probe_engine_hooks engine_hooks(probe_engine_hooks base = {});
  /** Where suspensions and budget resets go; the engine must outlive start() … stop(). */
  void bind_engine(probe_engine& engine);

  void start();
  /**
   * Stops the watchers (an exec child gets SIGTERM, then SIGKILL after at most
   * `exec_stop_grace`), then closes open incidents so the log holds them.
   */
  void stop();

  /**
   * `[{"target":…,"process":{…}|null,"console":{…}|null,"stream":{…}|null,"database":{…}|null}, …]`;
   * the stream subscribers and DB threads are not the supervisor's, so their state is handed in
   * (`pg_ssl`: PostgreSQL's `ssl` setting per target with a database, "" until read).
   */
  std::string targets_status_json(const std::vector<stream_status>& streams,
                                  const std::map<std::string, std::string>& pg_ssl = {}) const;
  /** `{"open":[…],"recent":[…]}` */
  std::string incidents_status_json() const;

 private:
  void on_process_event(target_watch& t, const process_event& e);
  void on_console_event(target_watch& t, const console_event& e);
  void on_probe_result(const probe_result& r);
  bool in_start_grace(const std::string& target) const;
  target_watch* find(const std::string& target) const;

  incident_service incidents_;
  std::vector<std::unique_ptr<target_watch>> targets_;
  probe_engine* engine_ = nullptr;
  bool running_ = false;
};

/**
 * The whole /status document: the probe engine's `{"probes":[…]}` (kept as the first key,
 * byte for byte) followed by `"targets"` and `"incidents"`.
 */
std::string compose_status_json(const std::string& probes_document, const std::string& targets_json,
                                const std::string& incidents_json);

}  // namespace meshwatch

#pragma once
// The probe engine: one scheduler coroutine per (probe, target) on the daemon's loop, each
// run guarded by a hard deadline, results fed through the health state machine, the latency
// baseline and shape-drift detection into metrics, /status and the hooks (incidents,
// readiness). Transitions are logged once.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/probe_runner.hpp"
#include "probes/probe_result.hpp"

namespace boost::asio {
class io_context;
}
namespace prometheus {
class Registry;
}

namespace meshwatch {

struct probe_engine_hooks {
  /** meshwatch's own loop is stalled: results are inconclusive, not Mesher's fault. */
  std::function<bool()> loop_stalled;
  /** The target is inside its start-up grace: failures are tagged "starting", not counted. */
  std::function<bool(const std::string& target)> in_start_grace;
  std::function<void(const std::string& probe, const std::string& target, const std::string& route)>
      on_probe_started;
  std::function<void(const probe_result&)> on_result;
};

/** What /status and `meshwatch verify` show of one probe. */
struct probe_status {
  std::string probe;
  std::string target;
  std::string kind;
  std::string route;
  std::string method;
  std::string state;  // unknown | healthy | degraded | unhealthy | suspended
  bool has_result = false;
  probe_result last;
  std::vector<double> recent_seconds;  // last durations, oldest first (bounded)
  bool regressed = false;
  double regression_ratio = 0;
  std::string suspended_because;
};

class probe_engine {
 public:
  /**
   * Builds every enabled (probe, target) pair. Throws std::runtime_error when a target cannot
   * be resolved. `registry` must outlive the engine.
   */
  probe_engine(boost::asio::io_context& io, const config& cfg, prometheus::Registry& registry,
               probe_engine_hooks hooks, probe_runners runners = {});
  ~probe_engine();
  probe_engine(const probe_engine&) = delete;
  probe_engine& operator=(const probe_engine&) = delete;

  void start();
  void stop();

  /** Suspends a probe (crash attribution); idempotent. */
  void suspend(const std::string& probe, const std::string& target, const std::string& why);
  /** Forgets spent request budgets for a target (it restarted, so did its rate limiter). */
  void reset_budgets(const std::string& target);

  std::vector<probe_status> snapshot() const;
  std::size_t size() const;

  struct state;  // public name so the .cpp's coroutines can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

/** The `/status` JSON for a snapshot (bounded: details are cut, histories short). */
std::string render_status_json(const std::vector<probe_status>& probes);

}  // namespace meshwatch

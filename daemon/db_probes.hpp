#pragma once
// The probe kinds that need a target's PostgreSQL: `pg` checks and `pipeline`s (HTTP steps,
// row polling, stream pushes), plus each target's DB thread, fixture seeding and db gauges, and
// each target's long-lived stream subscriber that pipelines match pushes on.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/probe_runner.hpp"

namespace boost::asio {
class io_context;
}
namespace prometheus {
class Registry;
}

namespace meshwatch {

class db_worker;
class db_metrics;
class stream_monitor;
class stream_metric_families;
struct stream_status;

/** True for a pipeline with a ws_wait step: it needs the target's stream subscriber. */
bool needs_stream(const probe_config& probe);

/**
 * Runs a pipeline probe. `worker` may be null when no step needs the database, `stream` when
 * no step waits for a push; a pipeline that waits for pushes fails as ws_closed at once while
 * the stream subscriber is down.
 */
boost::asio::awaitable<probe_result> run_pipeline_probe(db_worker* worker, stream_monitor* stream,
                                                        probe_config probe, probe_target target,
                                                        template_vars vars);

class target_databases {
 public:
  /**
   * One DB thread per target with a `database:` and one stream subscriber (not yet started)
   * per target with a `ws:` URL; `registry` (optional) gets the db gauges and stream metrics.
   */
  target_databases(const config& cfg, prometheus::Registry* registry);
  ~target_databases();
  target_databases(const target_databases&) = delete;
  target_databases& operator=(const target_databases&) = delete;

  /** pg and pipeline runners bound to these databases (valid while this object lives). */
  probe_runners runners();

  /**
   * Seeds the synthetic tenant of every target (one-time part first, then the per-cycle part)
   * and prunes leftovers. Returns false when a target could not be seeded (logged), or was
   * being seeded already (a target is never seeded twice at once).
   */
  boost::asio::awaitable<bool> seed_all(std::chrono::milliseconds timeout);

  /**
   * Seeds now, calls `after_first_seed` (whatever the outcome: probes then report what they
   * see), and re-seeds every `period` so destructive probes find their rows again; a target
   * is re-seeded sooner after a failed seeding and at once when its DB thread gets a new
   * session (daemon/db/fixture_upkeep.hpp).
   */
  void start_refresh(boost::asio::io_context& io, std::chrono::milliseconds period,
                     std::function<void()> after_first_seed);

  /**
   * Starts the stream subscribers on `executor` (once; start_refresh does it first thing).
   * A target whose ws host cannot be resolved gets none; that is logged.
   */
  void start_streams(boost::asio::any_io_executor executor);
  /** Closes the stream subscribers for good (stop() does it too). */
  void stop_streams();
  /** One entry per target with a ws URL, in target order, for /status. */
  std::vector<stream_status> stream_statuses() const;

  /** Per target with a database: PostgreSQL's `ssl` setting as last read ("" until known), for /status. */
  std::map<std::string, std::string> pg_ssl_settings() const;

  /** Stops refreshing, the stream subscribers and the DB threads; call before the io_context goes away. */
  void stop();

  struct target_db;
  struct target_stream;

 private:
  /** Reads `SHOW ssl` of `name`'s database on its DB thread (after a successful seeding). */
  void read_pg_ssl(const std::string& name);

  std::map<std::string, std::unique_ptr<target_db>, std::less<>> targets_;
  boost::asio::any_io_executor executor_;  // the loop's, from start_refresh
  std::unique_ptr<db_metrics> metrics_;
  std::unique_ptr<prometheus::Registry> own_registry_;  // stream metrics when the caller has no registry
  std::unique_ptr<stream_metric_families> stream_families_;
  std::map<std::string, std::unique_ptr<target_stream>, std::less<>> streams_;
  std::shared_ptr<bool> refreshing_ = std::make_shared<bool>(false);
};

}  // namespace meshwatch

#pragma once
// The process watcher (DESIGN.md §6): locate (or spawn) Mesher, await its pidfd on the loop,
// classify each exit, re-locate the restarted process, track restarts and crash loops, gate
// readiness, sample /proc, and report everything as process_event callbacks and metrics.
// Everything runs on the one io_context thread; all public calls must come from it too.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/target_config.hpp"
#include "daemon/proc_sampler.hpp"
#include "daemon/process/environment_snapshot.hpp"
#include "daemon/process/process_event.hpp"
#include "daemon/process/process_locator.hpp"
#include "daemon/process/readiness_gate.hpp"
#include "daemon/process/tcp_socket_table.hpp"

namespace boost::asio {
class io_context;
}
namespace prometheus {
class Registry;
}

namespace meshwatch {

struct process_watcher_options {
  std::string target;
  process_config config;
  std::chrono::milliseconds sample_interval{std::chrono::seconds(10)};
  /** Readiness timeout and crash-loop expiry are checked this often. */
  std::chrono::milliseconds housekeeping_interval{std::chrono::seconds(1)};
  /** Re-locating after an exit (or before the first find) polls with this backoff. */
  std::chrono::milliseconds relocate_min{std::chrono::milliseconds(50)};
  std::chrono::milliseconds relocate_max{std::chrono::seconds(2)};
  /** Classify non-child exits through the kernel proc connector when permitted. */
  bool use_proc_connector = true;
  /** How long an exit waits for its proc-connector event (normally microseconds late). */
  std::chrono::milliseconds connector_wait{std::chrono::milliseconds(50)};
  /**
   * exec only: receives the read ends of the child's stdout and stderr (the receiver owns
   * and must drain them, F-38). Unset: the child inherits meshwatch's stdout/stderr.
   */
  std::function<void(int stdout_fd, int stderr_fd)> on_child_output;
  /** exec only: stop() waits this long after SIGTERM before SIGKILL (it blocks the loop). */
  std::chrono::milliseconds exec_stop_grace{std::chrono::seconds(2)};
  locator_options locator;
  /** The target's HTTP and WS ports, named "http" and "ws": where CLOSE_WAIT sockets count. */
  std::vector<tcp_listener> listeners;
  /** Bound of the `localhost` lookup of each environment snapshot. */
  std::chrono::milliseconds localhost_lookup_timeout{std::chrono::seconds(2)};
};

class process_watcher {
 public:
  using event_callback = std::function<void(const process_event&)>;

  /** Throws std::invalid_argument on an unusable selector (e.g. a bad regex). */
  process_watcher(boost::asio::io_context& io, process_watcher_options options,
                  prometheus::Registry& registry, event_callback on_event);
  ~process_watcher();
  process_watcher(const process_watcher&) = delete;
  process_watcher& operator=(const process_watcher&) = delete;

  void start();
  /** Stops watching; an exec child is terminated (SIGTERM, then SIGKILL) and reaped. */
  void stop();

  /** From the console watcher: stderr `[mesh-rt] HTTP server listening on …`. */
  void note_listening_line();
  /** From the fast-path probe (D5): pass/fail of its latest run. */
  void note_fast_path_probe(bool passed);

  readiness readiness_state() const;
  /**
   * True while probe failures should be tagged "starting" rather than counted: within the start
   * grace of a (re)start, and — for a located process — in the gap between an exit and the next
   * start, for at most the start grace.
   */
  bool in_start_grace() const;
  std::optional<process_identity> current() const;

  struct resource_snapshot {
    proc_sample sample;
    std::chrono::steady_clock::time_point at;
    /** CLOSE_WAIT sockets per listener (options' order); empty when ownership is unknown. */
    std::vector<std::int64_t> close_wait;
    bool close_wait_truncated = false;
  };
  /**
   * The current process's latest /proc sample (identity-checked) and when it was taken; nullopt
   * before its first sample and after it exits. What /status shows, so a page refreshing every
   * 2 s never makes meshwatch walk a large fd table more often than the sampler does.
   */
  std::optional<resource_snapshot> last_resources() const;
  /**
   * The environment snapshot of the latest (re)start (D13), kept after that process exits so
   * the environment of a crash stays visible; its `localhost_order` fills in shortly after.
   */
  std::optional<environment_snapshot> last_environment() const;
  /** The listeners CLOSE_WAIT sockets are counted on (names for resource_snapshot::close_wait). */
  const std::vector<tcp_listener>& listeners() const;
  /** Whether non-child exits can be classified (proc connector subscribed). */
  bool exit_status_available() const;

  struct state;  // defined in the .cpp; public so its coroutines can name it

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

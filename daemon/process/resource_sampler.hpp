#pragma once
// /proc sampling of the watched process (FAILURES.md D10: F-28 RSS growth, F-34 fds vs
// limit, F-35 threads, F-17/F-25 CLOSE_WAIT sockets on its ports). A sample is only accepted
// if the PID still names the same process afterwards, so a reused PID never lends its numbers
// to Mesher.
#include <optional>
#include <vector>

#include "daemon/proc_sampler.hpp"
#include "daemon/process/process_identity.hpp"
#include "daemon/process/tcp_socket_table.hpp"

namespace meshwatch {

class resource_sampler {
 public:
  /** `listeners`: the target's HTTP and WS ports, where CLOSE_WAIT sockets are counted. */
  explicit resource_sampler(std::vector<tcp_listener> listeners = {});

  struct reading {
    proc_sample sample;
    /** CPU seconds used since the previous reading of the same process (all of it for a new one). */
    double cpu_seconds_delta = 0;
    /**
     * CLOSE_WAIT sockets owned by the process, per listener (same order as the constructor's);
     * empty when its fds cannot be read (another user's process), so ownership is unknown.
     */
    std::vector<std::int64_t> close_wait;
    bool close_wait_truncated = false;  // a bound was hit: the counts are lower bounds
  };

  /** nullopt when the process is gone or its PID now belongs to another process. */
  std::optional<reading> sample(const process_identity& id);

  const std::vector<tcp_listener>& listeners() const { return listeners_; }

 private:
  std::vector<tcp_listener> listeners_;
  std::optional<process_identity> last_id_;
  double last_cpu_seconds_ = 0;
};

}  // namespace meshwatch

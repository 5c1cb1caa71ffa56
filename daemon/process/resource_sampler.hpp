#pragma once
// /proc sampling of the watched process (FAILURES.md D10: F-28 RSS growth, F-34 fds vs
// limit, F-35 threads). A sample is only accepted if the PID still names the same process
// afterwards, so a reused PID never lends its numbers to Mesher.
#include <optional>

#include "daemon/proc_sampler.hpp"
#include "daemon/process/process_identity.hpp"

namespace meshwatch {

class resource_sampler {
 public:
  struct reading {
    proc_sample sample;
    /** CPU seconds used since the previous reading of the same process (all of it for a new one). */
    double cpu_seconds_delta = 0;
  };

  /** nullopt when the process is gone or its PID now belongs to another process. */
  std::optional<reading> sample(const process_identity& id);

 private:
  std::optional<process_identity> last_id_;
  double last_cpu_seconds_ = 0;
};

}  // namespace meshwatch

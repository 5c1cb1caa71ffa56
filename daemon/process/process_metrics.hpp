#pragma once
// The target-process metrics of DESIGN.md §9, one series set per `target`. Every series
// that can be known up front is created at construction (exits: the D1 statuses), so
// absent-vs-zero never confuses an alert rule.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/process/exit_classifier.hpp"
#include "daemon/process/resource_sampler.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace meshwatch {

class process_metrics {
 public:
  /** `listeners`: one close_wait series per listener name, created at 0. */
  process_metrics(prometheus::Registry& registry, std::string target,
                  const std::vector<tcp_listener>& listeners = {});

  void set_up(bool up);
  void set_ready(bool ready);
  void set_start_time(double unix_seconds);
  void count_restart();
  void count_exit(const exit_status& status);
  void set_crash_looping(bool looping);
  void observe(const resource_sampler::reading& reading);
  /** The process is gone: resident memory, threads and open fds read 0 until the next one. */
  void clear_usage();

 private:
  prometheus::Counter& exit_series(const exit_status& status);

  std::string target_;
  prometheus::Family<prometheus::Counter>* exits_family_;
  prometheus::Gauge* up_;
  prometheus::Gauge* ready_;
  prometheus::Gauge* start_time_;
  prometheus::Counter* restarts_;
  prometheus::Gauge* crash_looping_;
  prometheus::Gauge* resident_;
  prometheus::Counter* cpu_;
  prometheus::Gauge* threads_;
  prometheus::Gauge* open_fds_;
  prometheus::Gauge* max_fds_;
  std::vector<prometheus::Gauge*> close_wait_;  // per listener, in the sampler's order
};

}  // namespace meshwatch

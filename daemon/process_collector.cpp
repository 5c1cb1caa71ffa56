#include "daemon/process_collector.hpp"

#include <unistd.h>

#include "daemon/proc_sampler.hpp"

namespace meshwatch {
namespace {

prometheus::MetricFamily single(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

}  // namespace

std::vector<prometheus::MetricFamily> process_collector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  auto sample = sample_process(getpid());
  if (!sample) {
    return out;
  }
  using prometheus::MetricType;
  out.push_back(single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                       MetricType::Counter, sample->cpu_seconds));
  out.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
                       static_cast<double>(sample->resident_bytes)));
  out.push_back(single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
                       static_cast<double>(sample->virtual_bytes)));
  out.push_back(single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                       MetricType::Gauge, sample->start_time_seconds));
  out.push_back(single("process_threads", "Number of OS threads in the process.", MetricType::Gauge,
                       static_cast<double>(sample->threads)));
  if (sample->open_fds >= 0) {
    out.push_back(single("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                         static_cast<double>(sample->open_fds)));
  }
  if (sample->max_fds >= 0) {
    out.push_back(single("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
                         static_cast<double>(sample->max_fds)));
  }
  return out;
}

}  // namespace meshwatch

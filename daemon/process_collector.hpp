#pragma once
// The standard process_* metrics of meshwatch itself (prometheus-cpp has no such
// collector), read from /proc/self at scrape time.
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace meshwatch {

class process_collector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace meshwatch

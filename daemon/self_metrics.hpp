#pragma once
// meshwatch's metrics about itself (DESIGN.md §9, "self").
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace meshwatch {

class self_metrics {
 public:
  explicit self_metrics(prometheus::Registry& registry);
  void set_loop_lag(double seconds) { loop_lag_.Set(seconds); }

 private:
  prometheus::Gauge& loop_lag_;
};

}  // namespace meshwatch

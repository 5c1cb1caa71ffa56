#pragma once
// The probe metrics of DESIGN.md §9 for one (probe, target) pair. Label sets are bounded:
// `route` is the path template, `reason` a closed enum, `phase` and `stage` fixed names.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

#include "probes/probe_result.hpp"

namespace meshwatch {

/** The metric families, registered once per registry. */
class probe_metric_families {
 public:
  explicit probe_metric_families(prometheus::Registry& registry);

  prometheus::Family<prometheus::Gauge>& success;
  prometheus::Family<prometheus::Gauge>& healthy;
  prometheus::Family<prometheus::Histogram>& duration;
  prometheus::Family<prometheus::Histogram>& phase_duration;
  prometheus::Family<prometheus::Counter>& runs;
  prometheus::Family<prometheus::Counter>& failures;
  prometheus::Family<prometheus::Counter>& skipped;
  prometheus::Family<prometheus::Counter>& inconclusive;
  prometheus::Family<prometheus::Gauge>& http_status;
  prometheus::Family<prometheus::Gauge>& last_run;
  prometheus::Family<prometheus::Gauge>& regression_ratio;
  prometheus::Family<prometheus::Gauge>& regressed;
  prometheus::Family<prometheus::Counter>& shape_changes;
  prometheus::Family<prometheus::Gauge>& suspended;
  prometheus::Family<prometheus::Histogram>& stage_latency;
};

/** The series of one probe on one target, all created (at zero) up front. */
class probe_series {
 public:
  probe_series(probe_metric_families& families, const std::string& target, const std::string& probe,
               const std::string& route, const std::string& method, probe_kind_name kind,
               const std::vector<std::string>& stages);

  /** A counted run: success, duration, phases, failures by reason, status, timestamp, stages. */
  void record(const probe_result& result);
  void record_inconclusive() { inconclusive_.Increment(); }
  void record_skipped() { skipped_.Increment(); }
  void set_healthy(bool healthy) { healthy_.Set(healthy ? 1 : 0); }
  void set_regression(double ratio, bool regressed) {
    regression_ratio_.Set(ratio);
    regressed_.Set(regressed ? 1 : 0);
  }
  void count_shape_change() { shape_changes_.Increment(); }
  void set_suspended(bool suspended) { suspended_.Set(suspended ? 1 : 0); }

 private:
  prometheus::Gauge& success_;
  prometheus::Gauge& healthy_;
  prometheus::Histogram& duration_;
  std::map<std::string, prometheus::Histogram*, std::less<>> phases_;
  prometheus::Counter& runs_;
  std::map<failure_reason, prometheus::Counter*> failures_;
  prometheus::Counter& skipped_;
  prometheus::Counter& inconclusive_;
  prometheus::Gauge& http_status_;
  prometheus::Gauge& last_run_;
  prometheus::Gauge& regression_ratio_;
  prometheus::Gauge& regressed_;
  prometheus::Counter& shape_changes_;
  prometheus::Gauge& suspended_;
  std::map<std::string, prometheus::Histogram*, std::less<>> stages_;
};

}  // namespace meshwatch

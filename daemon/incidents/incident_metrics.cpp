#include "daemon/incidents/incident_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace meshwatch {

incident_metrics::incident_metrics(prometheus::Registry& registry, const std::vector<std::string>& targets) {
  total_ = &prometheus::BuildCounter()
                .Name("meshwatch_incidents_total")
                .Help("Incidents opened, by kind")
                .Register(registry);
  open_ = &prometheus::BuildGauge()
               .Name("meshwatch_incident_open")
               .Help("Incidents currently open")
               .Register(registry);
  for (const auto& t : targets) {
    for_target(t);
  }
}

incident_metrics::series& incident_metrics::for_target(const std::string& target) {
  auto it = targets_.find(target);
  if (it != targets_.end()) {
    return it->second;
  }
  // A target that appears later (config reload) gets its full set of series on first use.
  series s;
  for (auto kind : all_incident_kinds) {
    s.total[static_cast<std::size_t>(kind)] =
        &total_->Add({{"target", target}, {"kind", std::string(to_string(kind))}});
  }
  s.open = &open_->Add({{"target", target}});
  return targets_.emplace(target, s).first->second;
}

void incident_metrics::opened(const incident& inc) {
  auto& s = for_target(inc.target);
  s.total[static_cast<std::size_t>(inc.kind)]->Increment();
  s.open->Increment();
}

void incident_metrics::closed(const incident& inc) {
  auto& s = for_target(inc.target);
  // Never below zero, even if opened() was missed (metrics wired after the correlator started).
  if (s.open->Value() >= 1) {
    s.open->Decrement();
  }
}

}  // namespace meshwatch

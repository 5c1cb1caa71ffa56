#pragma once
// meshwatch_incidents_total{target,kind} and meshwatch_incident_open{target} (DESIGN.md §9).
// Every kind's series exists for every known target from the start.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "daemon/incidents/incident.hpp"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace meshwatch {

class incident_metrics {
 public:
  incident_metrics(prometheus::Registry& registry, const std::vector<std::string>& targets);

  /** Counts the incident and raises the target's open gauge. */
  void opened(const incident& inc);
  /** Lowers the target's open gauge. */
  void closed(const incident& inc);

 private:
  struct series {
    std::array<prometheus::Counter*, all_incident_kinds.size()> total{};
    prometheus::Gauge* open = nullptr;
  };
  series& for_target(const std::string& target);

  prometheus::Family<prometheus::Counter>* total_ = nullptr;
  prometheus::Family<prometheus::Gauge>* open_ = nullptr;
  std::map<std::string, series> targets_;
};

}  // namespace meshwatch

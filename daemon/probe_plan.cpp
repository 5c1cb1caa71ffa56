#include "daemon/probe_plan.hpp"

#include <fnmatch.h>

#include "daemon/target_resolver.hpp"

namespace meshwatch {

std::vector<planned_probe> plan_probes(const config& cfg) {
  std::vector<planned_probe> plan;
  for (const auto& target_cfg : cfg.targets) {
    auto target = resolve_probe_target(target_cfg);
    auto vars = target_cfg.fixtures.variables();
    for (const auto& probe : cfg.probes) {
      if (!probe.enabled || (probe.target && *probe.target != target_cfg.name)) continue;
      plan.push_back({probe, target, vars});
    }
  }
  return plan;
}

std::vector<planned_probe> filter_probes(std::vector<planned_probe> plan,
                                         const std::vector<std::string>& globs) {
  if (globs.empty()) return plan;
  std::vector<planned_probe> kept;
  for (auto& p : plan) {
    for (const auto& glob : globs) {
      if (fnmatch(glob.c_str(), p.probe.name.c_str(), 0) == 0) {
        kept.push_back(std::move(p));
        break;
      }
    }
  }
  return kept;
}

}  // namespace meshwatch

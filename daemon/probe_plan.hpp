#pragma once
// Which probe runs against which target: every enabled probe on every target it names (or
// on all targets), with the target's endpoints resolved and its fixtures as variables.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "probes/probe_target.hpp"

namespace meshwatch {

struct planned_probe {
  probe_config probe;
  probe_target target;
  template_vars vars;
};

/** Throws std::runtime_error when a target cannot be resolved. */
std::vector<planned_probe> plan_probes(const config& cfg);

/** `--only` filters: shell globs on the probe name; empty keeps everything. */
std::vector<planned_probe> filter_probes(std::vector<planned_probe> plan,
                                         const std::vector<std::string>& globs);

}  // namespace meshwatch

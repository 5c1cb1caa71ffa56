#include "daemon/config_reload.hpp"

#include <array>
#include <chrono>

namespace meshwatch {

std::string_view to_string(reload_outcome outcome) {
  switch (outcome) {
    case reload_outcome::applied: return "applied";
    case reload_outcome::unchanged: return "unchanged";
    case reload_outcome::invalid: return "invalid";
    case reload_outcome::restart_required: return "restart_required";
  }
  return "invalid";
}

reload_decision decide_reload(const config& running, const load_result& loaded) {
  if (!loaded.ok()) {
    std::string why = std::to_string(loaded.errors.size()) + " error(s)";
    if (!loaded.errors.empty()) why += ", first: " + loaded.errors.front().to_string();
    return {reload_outcome::invalid, why};
  }
  const config& next = *loaded.value;
  if (next == running) return {reload_outcome::unchanged, "the config file did not change"};
  if (!(next.admin == running.admin)) {
    return {reload_outcome::restart_required,
            "admin changed (listen address or token): restart meshwatch to apply"};
  }
  if (next.targets != running.targets) {
    return {reload_outcome::restart_required,
            "targets changed (endpoints, database, process or console): restart meshwatch to apply"};
  }
  if (!(next.incidents == running.incidents)) {
    return {reload_outcome::restart_required,
            "incidents (log file or its bounds) changed: restart meshwatch to apply"};
  }
  return {reload_outcome::applied, "probes and defaults replaced"};
}

reload_metrics::reload_metrics(prometheus::Registry& registry)
    : reloads_(prometheus::BuildCounter()
                   .Name("meshwatch_config_reloads_total")
                   .Help("Config reloads (SIGHUP) by result: applied, unchanged, invalid, restart_required.")
                   .Register(registry)),
      last_success_(prometheus::BuildGauge()
                        .Name("meshwatch_config_last_reload_success_timestamp_seconds")
                        .Help("Unix time the config was last loaded successfully (start-up or reload).")
                        .Register(registry)
                        .Add({})) {
  for (auto outcome : std::array{reload_outcome::applied, reload_outcome::unchanged, reload_outcome::invalid,
                                 reload_outcome::restart_required}) {
    reloads_.Add({{"result", std::string(to_string(outcome))}});
  }
  last_success_.SetToCurrentTime();
}

void reload_metrics::record(reload_outcome outcome) {
  reloads_.Add({{"result", std::string(to_string(outcome))}}).Increment();
  if (outcome == reload_outcome::applied || outcome == reload_outcome::unchanged) {
    last_success_.SetToCurrentTime();
  }
}

}  // namespace meshwatch

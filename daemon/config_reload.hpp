#pragma once
// SIGHUP: re-read the config, validate it, and decide whether the running daemon can take it.
// Probes and defaults are swapped live; admin and target changes need a restart (they own
// sockets, DB threads and watched processes), so they are refused and the old config kept.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

#include "config/loader.hpp"

namespace meshwatch {

enum class reload_outcome { applied, unchanged, invalid, restart_required };

std::string_view to_string(reload_outcome outcome);

struct reload_decision {
  reload_outcome outcome = reload_outcome::unchanged;
  std::string why;  // for the log: the errors, or what would need a restart
};

/** Pure: compares the running config with what was loaded. */
reload_decision decide_reload(const config& running, const load_result& loaded);

/** `meshwatch_config_reloads_total{result}` and `meshwatch_config_last_reload_success_timestamp_seconds`. */
class reload_metrics {
 public:
  explicit reload_metrics(prometheus::Registry& registry);
  void record(reload_outcome outcome);

 private:
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Gauge& last_success_;
};

}  // namespace meshwatch

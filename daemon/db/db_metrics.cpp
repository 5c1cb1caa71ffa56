#include "daemon/db/db_metrics.hpp"

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace meshwatch {

db_metrics::db_metrics(prometheus::Registry& registry, const std::vector<std::string>& targets)
    : up_family_(&prometheus::BuildGauge()
                      .Name("meshwatch_db_up")
                      .Help("1 when the last DB check could query Mesher's PostgreSQL, else 0")
                      .Register(registry)),
      horizon_family_(&prometheus::BuildGauge()
                           .Name("meshwatch_db_partition_horizon_seconds")
                           .Help("Days after today covered by events_YYYYMMDD partitions without a gap "
                                 "(-1: none for today)")
                           .Register(registry)),
      connections_family_(&prometheus::BuildGauge()
                               .Name("meshwatch_db_connections")
                               .Help("Sessions of Mesher's database user in Mesher's database")
                               .Register(registry)) {
  for (const std::string& target : targets) {
    of(target);
  }
}

db_metrics::series& db_metrics::of(const std::string& target) {
  auto found = targets_.find(target);
  if (found != targets_.end()) {
    return found->second;
  }
  // Targets come from the config, so this set is bounded; a target added by a reload gets
  // its series on first use.
  series created;
  created.up = &up_family_->Add({{"target", target}});
  created.horizon = &horizon_family_->Add({{"target", target}});
  created.connections = &connections_family_->Add({{"target", target}});
  return targets_.emplace(target, created).first->second;
}

void db_metrics::set_up(const std::string& target, bool up) { of(target).up->Set(up ? 1 : 0); }

void db_metrics::set_partition_horizon(const std::string& target, double days) {
  // Base units (promtool check metrics): the horizon is exported in seconds.
  of(target).horizon->Set(days * 86400);
}

void db_metrics::set_connections(const std::string& target, double count) {
  of(target).connections->Set(count);
}

void db_metrics::update_from(const std::string& target, pg_check check, const pg_check_result& result) {
  if (result.value) {
    set_up(target, true);
    if (check == pg_check::partition_horizon) {
      set_partition_horizon(target, *result.value);
    } else if (check == pg_check::connections) {
      set_connections(target, *result.value);
    }
    return;
  }
  if (result.reason == failure_reason::db_error || result.reason == failure_reason::timeout) {
    set_up(target, false);
  }
}

}  // namespace meshwatch

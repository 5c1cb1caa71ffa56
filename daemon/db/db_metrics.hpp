#pragma once
// The db metrics of DESIGN.md §9 (`meshwatch_db_up`, `meshwatch_db_partition_horizon_seconds`,
// `meshwatch_db_connections`), one series per target, all created up front.
#include <map>
#include <string>
#include <vector>

#include "config/probe_config.hpp"
#include "daemon/db/pg_checks.hpp"

namespace prometheus {
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace meshwatch {

class db_metrics {
 public:
  /** Creates every series of `targets` (up 0, horizon 0, connections 0). */
  db_metrics(prometheus::Registry& registry, const std::vector<std::string>& targets);

  void set_up(const std::string& target, bool up);
  void set_partition_horizon(const std::string& target, double days);
  void set_connections(const std::string& target, double count);

  /**
   * Folds one pg check into the gauges: a check that measured something proves the DB is up
   * (and partition_horizon / connections set their gauge); one that could not run because of
   * db_error or timeout marks it down. Gauges without a fresh measurement keep their value.
   */
  void update_from(const std::string& target, pg_check check, const pg_check_result& result);

 private:
  struct series {
    prometheus::Gauge* up = nullptr;
    prometheus::Gauge* horizon = nullptr;
    prometheus::Gauge* connections = nullptr;
  };
  series& of(const std::string& target);

  prometheus::Family<prometheus::Gauge>* up_family_;
  prometheus::Family<prometheus::Gauge>* horizon_family_;
  prometheus::Family<prometheus::Gauge>* connections_family_;
  std::map<std::string, series, std::less<>> targets_;
};

}  // namespace meshwatch

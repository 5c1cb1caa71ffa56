#pragma once
// Everything a route handler may touch.
#include <atomic>

#include "tests/twin/console.hpp"
#include "tests/twin/faults.hpp"
#include "tests/twin/options.hpp"
#include "tests/twin/pg.hpp"
#include "tests/twin/rate_limiter.hpp"
#include "tests/twin/ws_bridge.hpp"

namespace meshwatch::twin {

struct twin_context {
  twin_mode mode;
  pg_pool& db;
  console& con;
  ws_bridge& ws;
  fault_registry& faults;
  rate_limiter& limiter;
  /** Ingestion requests since the last load-monitor tick (counted before auth, §1.5). */
  std::atomic<long> ingest_requests{0};

  bool fixed() const { return mode == twin_mode::fixed; }
};

}  // namespace meshwatch::twin

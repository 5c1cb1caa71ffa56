#include "daemon/self_metrics.hpp"

#include <string>

#include "daemon/build_info.hpp"

namespace meshwatch {

self_metrics::self_metrics(prometheus::Registry& registry)
    : loop_lag_(prometheus::BuildGauge()
                    .Name("meshwatch_loop_lag_seconds")
                    .Help("How late meshwatch's event loop ran its last lag-probe timer; probe results "
                          "are inconclusive while this is high.")
                    .Register(registry)
                    .Add({})) {
  prometheus::BuildGauge()
      .Name("meshwatch_build_info")
      .Help("Always 1; the labels say which meshwatch build is running.")
      .Register(registry)
      .Add({{"version", std::string(build_version())}, {"revision", std::string(build_revision())}})
      .Set(1);
}

}  // namespace meshwatch

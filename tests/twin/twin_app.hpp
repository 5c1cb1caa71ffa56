#pragma once
#include "tests/twin/options.hpp"

namespace meshwatch::twin {

/** Runs the twin: Mesher's start-up sequence, then serves forever. Returns an exit status
    only where Mesher exits (DB unreachable at start → 0) or on twin usage errors (2). */
int run_twin(const options& opts);

}  // namespace meshwatch::twin

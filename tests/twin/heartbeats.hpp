#pragma once
// Mesher's periodic actors that print (RUNTIME.md §4): load monitor, health checker, alert
// evaluator, spike checker, retention cleaner. Each sleeps first, on its own thread, so a blocked stdout or a
// slow alert query stalls only that one — as a blocked worker stalls only the actors pinned to it.
#include "tests/twin/options.hpp"

namespace meshwatch::twin {

struct twin_context;

void start_heartbeats(twin_context& ctx, const intervals& timing);

}  // namespace meshwatch::twin

#pragma once
// The 36 routes of API.md §3, registered in Mesher's order (one file per API.md section).
#include "tests/twin/router.hpp"

namespace meshwatch::twin {

struct twin_context;

void add_ingest_routes(router& r, twin_context& ctx);     // 1–2   (§3.A)
void add_search_routes(router& r, twin_context& ctx);     // 3–6   (§3.B)
void add_dashboard_routes(router& r, twin_context& ctx);  // 7–12  (§3.C)
void add_issue_routes(router& r, twin_context& ctx);      // 13–19 (§3.D, §3.E)
void add_team_routes(router& r, twin_context& ctx);       // 20–26 (§3.F, §3.G)
void add_alert_routes(router& r, twin_context& ctx);      // 27–33 (§3.H, §3.I)
void add_settings_routes(router& r, twin_context& ctx);   // 34–36 (§3.J)

/** All 36, in registration order. */
router build_router(twin_context& ctx);

}  // namespace meshwatch::twin

// Routes 1–2 (API.md §3.A).
#include "tests/twin/pipeline.hpp"
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

constexpr std::size_t event_max_chars = 1'048'576;
constexpr std::size_t bulk_max_chars = 5'242'880;

// Mesh strings count characters, not bytes.
std::size_t utf8_chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

/** Project uuid of the raw key in `x-sentry-auth` (preferred) or `authorization`; "" = 401. */
std::string authenticate(twin_context& ctx, const http_request& http) {
  const std::string* key = http.header("x-sentry-auth");
  if (key == nullptr) key = http.header("authorization");
  if (key == nullptr) return {};
  auto r = ctx.db.query(
      "SELECT p.id::text FROM api_keys k JOIN projects p ON p.id = k.project_id "
      "WHERE k.key_value = $1 AND k.revoked_at IS NULL",
      {*key});
  return r.ok() && !r.empty() ? r.text(0, 0) : std::string();  // DB errors look like 401 too
}

http_response ingest(twin_context& ctx, route_request& req, bool bulk) {
  ctx.ingest_requests.fetch_add(1);
  std::string project_id = authenticate(ctx, req.http);
  if (project_id.empty()) return error_response(401, "unauthorized");
  if (bulk) {
    // Sampling before the rate limit; a missing project or a query error keeps the event.
    auto keep =
        ctx.db.query("SELECT (random() < sample_rate)::text FROM projects WHERE id = $1::uuid", {project_id});
    if (keep.ok() && !keep.empty() && keep.text(0, 0) == "false")
      return json(202, "{\"status\":\"accepted\"}");
  }
  if (!ctx.limiter.check(project_id)) return error_response(429, "rate limited");
  if (utf8_chars(req.http.body) > (bulk ? bulk_max_chars : event_max_chars)) {
    return error_response(400, "payload too large");
  }
  // Bulk bodies are processed as one single event (no array splitting, API.md §3.A route 2).
  auto event = process_event(ctx, project_id, req.http.body);
  if (event.error) return error_response(400, *event.error);
  broadcast_event(ctx, project_id, event, req.http.body);
  if (event.new_issue) fire_new_issue_alerts(ctx, project_id, event.issue_id);
  return json(202, "{\"status\":\"accepted\"}");
}

}  // namespace

void add_ingest_routes(router& r, twin_context& ctx) {
  r.add("POST", "/api/v1/events", [&ctx](route_request& req) { return ingest(ctx, req, false); });
  r.add("POST", "/api/v1/events/bulk", [&ctx](route_request& req) { return ingest(ctx, req, true); });
}

router build_router(twin_context& ctx) {
  router r;
  add_ingest_routes(r, ctx);
  add_search_routes(r, ctx);
  add_dashboard_routes(r, ctx);
  add_issue_routes(r, ctx);
  add_team_routes(r, ctx);
  add_alert_routes(r, ctx);
  add_settings_routes(r, ctx);
  return r;
}

}  // namespace meshwatch::twin

// Routes 34–36 (API.md §3.J).
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

http_response get_settings(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query("SELECT retention_days::text, sample_rate::text FROM projects WHERE id = $1::uuid",
                        {project_id});
  if (!r.ok()) return error_response(500, *r.error);
  if (r.empty()) return error_response(404, "project not found");
  return json(200, "{\"retention_days\":" + r.text(0, 0) + ",\"sample_rate\":" + r.text(0, 1) + "}");
}

http_response update_settings(twin_context& ctx, route_request& req) {
  // Missing fields stay unchanged, no range checks, every error is a 400.
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "UPDATE projects SET retention_days = COALESCE(($2::jsonb->>'retention_days')::int, retention_days), "
      "sample_rate = COALESCE(($2::jsonb->>'sample_rate')::real, sample_rate) WHERE id = $1::uuid",
      {project_id, req.http.body});
  if (!r.ok()) return error_response(400, *r.error);
  return ok_affected(r.affected);
}

http_response storage(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT count(*)::text, (count(*) * 1024)::text FROM events WHERE project_id = $1::uuid", {project_id});
  if (!r.ok()) return error_response(500, *r.error);
  return json(200, "{\"event_count\":" + r.text(0, 0) + ",\"estimated_bytes\":" + r.text(0, 1) + "}");
}

}  // namespace

void add_settings_routes(router& r, twin_context& ctx) {
  r.add("GET", "/api/v1/projects/:project_id/settings",
        [&ctx](route_request& req) { return get_settings(ctx, req); });
  r.add("POST", "/api/v1/projects/:project_id/settings",
        [&ctx](route_request& req) { return update_settings(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/storage",
        [&ctx](route_request& req) { return storage(ctx, req); });
}

}  // namespace meshwatch::twin

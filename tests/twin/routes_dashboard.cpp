// Routes 7–12 (API.md §3.C). Counts are ordered as text where Mesher does (F-18 / §7.18).
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

http_response volume(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  // date_trunc runs per row: an invalid unit fails only when there are rows (PG-verified).
  auto r = ctx.db.query(
      "SELECT b::text, c::text FROM (SELECT date_trunc($2, received_at) AS b, count(*) AS c FROM events "
      "WHERE project_id = $1::uuid AND received_at > now() - interval '24 hours' GROUP BY 1) s ORDER BY b",
      {project_id, req.query_or("bucket", "hour")});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"bucket\":" + q(r.text(i, 0)) + ",\"count\":" + r.text(i, 1) + "}";
  }
  return json(200, out + "]");
}

http_response levels(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT level, count(*)::text AS c FROM events WHERE project_id = $1::uuid "
      "AND received_at > now() - interval '24 hours' GROUP BY level ORDER BY c DESC",
      {project_id});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"level\":" + q(r.text(i, 0)) + ",\"count\":" + r.text(i, 1) + "}";
  }
  return json(200, out + "]");
}

http_response top_issues(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT id::text, title, level, status, event_count::text, last_seen::text FROM issues "
      "WHERE project_id = $1::uuid AND status = 'unresolved' ORDER BY event_count::text DESC LIMIT $2::int",
      {project_id, req.query_or("limit", "10")});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"title\":" + q(r.text(i, 1)) + ",\"level\":" + q(r.text(i, 2)) +
           ",\"status\":" + q(r.text(i, 3)) + ",\"event_count\":" + r.text(i, 4) +
           ",\"last_seen\":" + q(r.text(i, 5)) + "}";
  }
  return json(200, out + "]");
}

http_response tag_breakdown(twin_context& ctx, route_request& req) {
  std::string key = req.query_or("key", "");
  if (key.empty()) return error_response(400, "missing key parameter");
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT NULLIF(tags->>$2, '') AS v, count(*)::text AS c FROM events WHERE project_id = $1::uuid "
      "AND received_at > now() - interval '24 hours' AND tags ? $2 GROUP BY 1 ORDER BY c DESC LIMIT 20",
      {project_id, key});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"value\":" + q_or_null(r, i, 0) + ",\"count\":" + r.text(i, 1) + "}";
  }
  return json(200, out + "]");
}

http_response timeline(twin_context& ctx, route_request& req) {
  auto r = ctx.db.query(
      "SELECT id::text, level, message, received_at::text FROM events WHERE issue_id = $1::uuid "
      "ORDER BY received_at DESC LIMIT $2::int",
      {req.param("issue_id"), req.query_or("limit", "50")});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"level\":" + q(r.text(i, 1)) +
           ",\"message\":" + q(r.text(i, 2)) + ",\"received_at\":" + q(r.text(i, 3)) + "}";
  }
  return json(200, out + "]");
}

http_response health(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  // Always one row, so the coded 404 is unreachable (unknown uuid → zeros).
  auto r = ctx.db.query(
      "SELECT (SELECT count(*) FROM issues WHERE project_id = $1::uuid AND status = 'unresolved')::text, "
      "(SELECT count(*) FROM events WHERE project_id = $1::uuid AND received_at > now() - interval '24 "
      "hours')::text, "
      "(SELECT count(*) FROM issues WHERE project_id = $1::uuid AND first_seen > now() - interval '24 "
      "hours')::text",
      {project_id});
  if (!r.ok()) return error_response(500, *r.error);
  if (r.empty()) return error_response(404, "project not found");
  return json(200, "{\"unresolved_count\":" + r.text(0, 0) + ",\"events_24h\":" + r.text(0, 1) +
                       ",\"new_today\":" + r.text(0, 2) + "}");
}

}  // namespace

void add_dashboard_routes(router& r, twin_context& ctx) {
  r.add("GET", "/api/v1/projects/:project_id/dashboard/volume",
        [&ctx](route_request& req) { return volume(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/dashboard/levels",
        [&ctx](route_request& req) { return levels(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/dashboard/top-issues",
        [&ctx](route_request& req) { return top_issues(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/dashboard/tags",
        [&ctx](route_request& req) { return tag_breakdown(ctx, req); });
  r.add("GET", "/api/v1/issues/:issue_id/timeline",
        [&ctx](route_request& req) { return timeline(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/dashboard/health",
        [&ctx](route_request& req) { return health(ctx, req); });
}

}  // namespace meshwatch::twin

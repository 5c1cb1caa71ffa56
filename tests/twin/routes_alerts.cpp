// Routes 27–30 (alert rules, API.md §3.H) and 31–33 (alerts, §3.I).
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

http_response list_rules(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT id::text, project_id::text, name, condition_json::text, action_json::text, enabled::text, "
      "cooldown_minutes::text, last_fired_at::text, created_at::text FROM alert_rules "
      "WHERE project_id = $1::uuid ORDER BY created_at DESC",
      {project_id});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"project_id\":" + q(r.text(i, 1)) +
           ",\"name\":" + q(r.text(i, 2)) + ",\"condition\":" + r.text(i, 3) + ",\"action\":" + r.text(i, 4) +
           ",\"enabled\":" + r.text(i, 5) + ",\"cooldown_minutes\":" + r.text(i, 6) +
           ",\"last_fired_at\":" + q_or_null(r, i, 7) + ",\"created_at\":" + q(r.text(i, 8)) + "}";
  }
  return json(200, out + "]");
}

http_response create_rule(twin_context& ctx, route_request& req) {
  // The body is parsed by PostgreSQL; every failure (even a DB outage) is reported as 400.
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "INSERT INTO alert_rules (project_id, name, condition_json, action_json, cooldown_minutes) "
      "SELECT $1::uuid, COALESCE(j->>'name', 'Unnamed Rule'), COALESCE(j->'condition', '{}'::jsonb), "
      "COALESCE(j->'action', '{\"type\":\"websocket\"}'::jsonb), COALESCE((j->>'cooldown_minutes')::int, 60) "
      "FROM (SELECT $2::jsonb AS j) s RETURNING id::text",
      {project_id, req.http.body});
  if (!r.ok()) return error_response(400, *r.error);
  return json(201, "{\"id\":" + q(r.text(0, 0)) + "}");
}

http_response toggle_rule(twin_context& ctx, route_request& req) {
  // Sets (not toggles); anything unreadable means true. Any PostgreSQL boolean literal works.
  auto enabled = json_field_text(req.http.body, "enabled").value_or("true");
  auto r = ctx.db.query("UPDATE alert_rules SET enabled = $2::boolean WHERE id = $1::uuid",
                        {req.param("rule_id"), enabled});
  if (!r.ok()) return error_response(500, *r.error);
  return ok_affected(r.affected);
}

http_response delete_rule(twin_context& ctx, route_request& req) {
  auto r =
      ctx.db.query("DELETE FROM alert_rules WHERE id = $1::uuid RETURNING id::text", {req.param("rule_id")});
  if (!r.ok()) return error_response(500, *r.error);
  if (r.empty()) return error_response(500, "delete: no row returned (id not found)");
  return ok_affected(1);
}

http_response list_alerts(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  std::vector<pg_value> params{project_id};
  std::string sql =
      "SELECT a.id::text, a.rule_id::text, a.project_id::text, a.status, a.message, "
      "a.condition_snapshot::text, "
      "a.triggered_at::text, a.acknowledged_at::text, a.resolved_at::text, r.name FROM alerts a "
      "JOIN alert_rules r ON r.id = a.rule_id WHERE a.project_id = $1::uuid";
  if (req.query.count("status") != 0) {
    params.emplace_back(req.query.at("status"));
    sql += " AND a.status = $2";
  }
  sql += " ORDER BY a.triggered_at DESC LIMIT 50";
  auto r = ctx.db.query(sql, params);
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"rule_id\":" + q(r.text(i, 1)) +
           ",\"project_id\":" + q(r.text(i, 2)) + ",\"status\":" + q(r.text(i, 3)) +
           ",\"message\":" + q(r.text(i, 4)) + ",\"condition_snapshot\":" + r.text(i, 5) +
           ",\"triggered_at\":" + q(r.text(i, 6)) + ",\"acknowledged_at\":" + q_or_null(r, i, 7) +
           ",\"resolved_at\":" + q_or_null(r, i, 8) + ",\"rule_name\":" + q(r.text(i, 9)) + "}";
  }
  return json(200, out + "]");
}

http_response update_alert(twin_context& ctx, route_request& req, const char* sql) {
  auto r = ctx.db.query(sql, {req.param("id")});
  if (!r.ok()) return error_response(500, *r.error);
  return ok_affected(r.affected);
}

}  // namespace

void add_alert_routes(router& r, twin_context& ctx) {
  r.add("GET", "/api/v1/projects/:project_id/alert-rules",
        [&ctx](route_request& req) { return list_rules(ctx, req); });
  r.add("POST", "/api/v1/projects/:project_id/alert-rules",
        [&ctx](route_request& req) { return create_rule(ctx, req); });
  r.add("POST", "/api/v1/alert-rules/:rule_id/toggle",
        [&ctx](route_request& req) { return toggle_rule(ctx, req); });
  r.add("POST", "/api/v1/alert-rules/:rule_id/delete",
        [&ctx](route_request& req) { return delete_rule(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/alerts",
        [&ctx](route_request& req) { return list_alerts(ctx, req); });
  r.add("POST", "/api/v1/alerts/:id/acknowledge", [&ctx](route_request& req) {
    return update_alert(ctx, req,
                        "UPDATE alerts SET status = 'acknowledged', acknowledged_at = now() "
                        "WHERE id = $1::uuid AND status = 'active'");
  });
  r.add("POST", "/api/v1/alerts/:id/resolve", [&ctx](route_request& req) {
    return update_alert(ctx, req,
                        "UPDATE alerts SET status = 'resolved', resolved_at = now() "
                        "WHERE id = $1::uuid AND status IN ('active', 'acknowledged')");
  });
}

}  // namespace meshwatch::twin

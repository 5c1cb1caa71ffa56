// Route 13 (event detail, API.md §3.D) and routes 14–19 (issue actions, §3.E).
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

http_response event_detail(twin_context& ctx, route_request& req) {
  const std::string& event_id = req.param("event_id");
  auto r = ctx.db.query(
      "SELECT id::text, project_id::text, issue_id::text, level, message, fingerprint, "
      "COALESCE(exception::text, 'null'), COALESCE(stacktrace::text, '[]'), COALESCE(breadcrumbs::text, "
      "'[]'), "
      "COALESCE(tags::text, '{}'), COALESCE(extra::text, '{}'), COALESCE(user_context::text, 'null'), "
      "COALESCE(sdk_name, ''), COALESCE(sdk_version, ''), received_at::text FROM events WHERE id = $1::uuid",
      {event_id});
  if (!r.ok()) return error_response(500, *r.error);
  if (r.empty()) return error_response(404, "event not found");
  std::string event = "{\"id\":" + q(r.text(0, 0)) + ",\"project_id\":" + q(r.text(0, 1)) +
                      ",\"issue_id\":" + q(r.text(0, 2)) + ",\"level\":" + q(r.text(0, 3)) +
                      ",\"message\":" + q(r.text(0, 4)) + ",\"fingerprint\":" + q(r.text(0, 5)) +
                      ",\"exception\":" + r.text(0, 6) + ",\"stacktrace\":" + r.text(0, 7) +
                      ",\"breadcrumbs\":" + r.text(0, 8) + ",\"tags\":" + r.text(0, 9) +
                      ",\"extra\":" + r.text(0, 10) + ",\"user_context\":" + r.text(0, 11) +
                      ",\"sdk_name\":" + q(r.text(0, 12)) + ",\"sdk_version\":" + q(r.text(0, 13)) +
                      ",\"received_at\":" + q(r.text(0, 14)) + "}";
  auto nav = ctx.db.query(
      "SELECT (SELECT id::text FROM events WHERE issue_id = $1::uuid AND (received_at, id) > "
      "($2::timestamptz, $3::uuid) "
      "ORDER BY received_at, id LIMIT 1), "
      "(SELECT id::text FROM events WHERE issue_id = $1::uuid AND (received_at, id) < ($2::timestamptz, "
      "$3::uuid) "
      "ORDER BY received_at DESC, id DESC LIMIT 1)",
      {r.text(0, 2), r.text(0, 14), r.text(0, 0)});
  std::string navigation = nav.ok() && !nav.empty() ? "{\"next_id\":" + q_or_null(nav, 0, 0) +
                                                          ",\"prev_id\":" + q_or_null(nav, 0, 1) + "}"
                                                    : std::string("{\"next_id\":null,\"prev_id\":null}");
  return json(200, "{\"event\":" + event + ",\"navigation\":" + navigation + "}");
}

// Status changes broadcast to the issue's project whenever the issue exists, even with
// `affected` 0 (API.md §3.E).
http_response set_status(twin_context& ctx, route_request& req, const std::string& sql,
                         const std::string& action) {
  const std::string& id = req.param("id");
  auto r = ctx.db.query(sql, {id});
  if (!r.ok()) return error_response(500, *r.error);
  auto project = ctx.db.query("SELECT project_id::text FROM issues WHERE id = $1::uuid", {id});
  if (project.ok() && !project.empty()) {
    ctx.ws.broadcast("project:" + project.text(0, 0),
                     "{\"type\":\"issue\",\"action\":" + q(action) + ",\"issue_id\":" + q(id) + "}");
  }
  return ok_affected(r.affected);
}

http_response assign(twin_context& ctx, route_request& req) {
  auto user = json_field_text(req.http.body, "user_id");
  auto r = user && !user->empty()
               ? ctx.db.query("UPDATE issues SET assigned_to = $2::uuid WHERE id = $1::uuid",
                              {req.param("id"), *user})
               : ctx.db.query("UPDATE issues SET assigned_to = NULL WHERE id = $1::uuid", {req.param("id")});
  if (!r.ok()) return error_response(500, *r.error);
  return json(200, "{\"status\":\"ok\"}");
}

http_response delete_issue(twin_context& ctx, route_request& req) {
  // Two statements, no transaction (as Mesher, §7.23).
  auto events = ctx.db.query("DELETE FROM events WHERE issue_id = $1::uuid", {req.param("id")});
  if (!events.ok()) return error_response(500, *events.error);
  auto r = ctx.db.query("DELETE FROM issues WHERE id = $1::uuid", {req.param("id")});
  if (!r.ok()) return error_response(500, *r.error);
  return ok_affected(r.affected);
}

}  // namespace

void add_issue_routes(router& r, twin_context& ctx) {
  r.add("GET", "/api/v1/events/:event_id", [&ctx](route_request& req) { return event_detail(ctx, req); });
  r.add("POST", "/api/v1/issues/:id/resolve", [&ctx](route_request& req) {
    return set_status(ctx, req,
                      "UPDATE issues SET status = 'resolved' WHERE id = $1::uuid AND status <> 'resolved'",
                      "resolved");
  });
  r.add("POST", "/api/v1/issues/:id/archive", [&ctx](route_request& req) {
    return set_status(ctx, req, "UPDATE issues SET status = 'archived' WHERE id = $1::uuid", "archived");
  });
  r.add("POST", "/api/v1/issues/:id/unresolve", [&ctx](route_request& req) {
    return set_status(ctx, req, "UPDATE issues SET status = 'unresolved' WHERE id = $1::uuid", "unresolved");
  });
  r.add("POST", "/api/v1/issues/:id/assign", [&ctx](route_request& req) { return assign(ctx, req); });
  r.add("POST", "/api/v1/issues/:id/discard", [&ctx](route_request& req) {
    return set_status(ctx, req, "UPDATE issues SET status = 'discarded' WHERE id = $1::uuid", "discarded");
  });
  r.add("POST", "/api/v1/issues/:id/delete", [&ctx](route_request& req) { return delete_issue(ctx, req); });
}

}  // namespace meshwatch::twin

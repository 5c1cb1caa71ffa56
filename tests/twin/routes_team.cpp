// Routes 20–23 (team, API.md §3.F) and 24–26 (API keys, §3.G).
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

http_response list_members(twin_context& ctx, route_request& req) {
  auto r = ctx.db.query(
      "SELECT m.id::text, m.user_id::text, u.email, u.display_name, m.role, m.joined_at::text "
      "FROM org_memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1::uuid ORDER BY "
      "m.joined_at",
      {req.param("org_id")});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"user_id\":" + q(r.text(i, 1)) +
           ",\"email\":" + q(r.text(i, 2)) + ",\"display_name\":" + q(r.text(i, 3)) +
           ",\"role\":" + q(r.text(i, 4)) + ",\"joined_at\":" + q(r.text(i, 5)) + "}";
  }
  return json(200, out + "]");
}

http_response add_member(twin_context& ctx, route_request& req) {
  // A non-JSON body reads as "no user_id" (the coded "invalid json" branch is unreachable).
  auto user = json_field_text(req.http.body, "user_id");
  if (!user || user->empty()) return error_response(400, "user_id is required");
  auto role = json_field_text(req.http.body, "role");
  auto r = ctx.db.query(
      "INSERT INTO org_memberships (org_id, user_id, role) VALUES ($1::uuid, $2::uuid, $3) RETURNING "
      "id::text",
      {req.param("org_id"), *user, role && !role->empty() ? *role : std::string("member")});
  if (!r.ok()) return error_response(500, *r.error);
  return json(201, "{\"id\":" + q(r.text(0, 0)) + "}");
}

http_response set_role(twin_context& ctx, route_request& req) {
  // :org_id is ignored; an unknown role updates nothing (affected 0), no error.
  auto role = json_field_text(req.http.body, "role").value_or("");
  auto r = ctx.db.query(
      "UPDATE org_memberships SET role = $2 WHERE id = $1::uuid AND $2 IN ('owner', 'admin', 'member')",
      {req.param("membership_id"), role});
  if (!r.ok()) return error_response(500, *r.error);
  return ok_affected(r.affected);
}

http_response remove_member(twin_context& ctx, route_request& req) {
  auto r = ctx.db.query("DELETE FROM org_memberships WHERE id = $1::uuid RETURNING id::text",
                        {req.param("membership_id")});
  if (!r.ok()) return error_response(500, *r.error);
  if (r.empty()) return error_response(500, "delete: no row returned (id not found)");
  return ok_affected(1);
}

http_response list_keys(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT id::text, project_id::text, key_value, label, created_at::text, revoked_at::text FROM api_keys "
      "WHERE project_id = $1::uuid ORDER BY created_at DESC",
      {project_id});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"project_id\":" + q(r.text(i, 1)) +
           ",\"key_value\":" + q(r.text(i, 2)) + ",\"label\":" + q(r.text(i, 3)) +
           ",\"created_at\":" + q(r.text(i, 4)) + ",\"revoked_at\":" + q_or_null(r, i, 5) + "}";
  }
  return json(200, out + "]");
}

http_response create_key(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto label = json_field_text(req.http.body, "label");
  auto r = ctx.db.query(
      "INSERT INTO api_keys (project_id, key_value, label) "
      "VALUES ($1::uuid, 'mshr_' || encode(gen_random_bytes(24), 'hex'), $2) RETURNING key_value",
      {project_id, label && !label->empty() ? *label : std::string("default")});
  if (!r.ok()) return error_response(500, *r.error);
  return json(201, "{\"key_value\":" + q(r.text(0, 0)) + "}");
}

http_response revoke_key(twin_context& ctx, route_request& req) {
  auto r = ctx.db.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1::uuid", {req.param("key_id")});
  if (!r.ok()) return error_response(500, *r.error);
  return ok_affected(r.affected);
}

}  // namespace

void add_team_routes(router& r, twin_context& ctx) {
  r.add("GET", "/api/v1/orgs/:org_id/members", [&ctx](route_request& req) { return list_members(ctx, req); });
  r.add("POST", "/api/v1/orgs/:org_id/members", [&ctx](route_request& req) { return add_member(ctx, req); });
  r.add("POST", "/api/v1/orgs/:org_id/members/:membership_id/role",
        [&ctx](route_request& req) { return set_role(ctx, req); });
  r.add("POST", "/api/v1/orgs/:org_id/members/:membership_id/remove",
        [&ctx](route_request& req) { return remove_member(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/api-keys",
        [&ctx](route_request& req) { return list_keys(ctx, req); });
  r.add("POST", "/api/v1/projects/:project_id/api-keys",
        [&ctx](route_request& req) { return create_key(ctx, req); });
  r.add("POST", "/api/v1/api-keys/:key_id/revoke",
        [&ctx](route_request& req) { return revoke_key(ctx, req); });
}

}  // namespace meshwatch::twin

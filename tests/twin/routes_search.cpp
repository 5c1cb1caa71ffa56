// Routes 3–6 (API.md §3.B).
#include "tests/twin/route_util.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

// `{"data":[…],"has_more":false}` or, for a full page, with the cursor of the last row and
// `has_more` last (API.md route 3).
std::string page(const std::string& items, bool full, const std::string& cursor,
                 const std::string& cursor_id) {
  if (!full) return "{\"data\":[" + items + "],\"has_more\":false}";
  return "{\"data\":[" + items + "],\"next_cursor\":" + q(cursor) + ",\"next_cursor_id\":" + q(cursor_id) +
         ",\"has_more\":true}";
}

http_response list_issues(twin_context& ctx, route_request& req) {
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  int limit = page_limit(req);
  std::vector<pg_value> params{project_id};
  std::string sql =
      "SELECT id::text, title, level, status, event_count::text, first_seen::text, last_seen::text, "
      "COALESCE(assigned_to::text, '') FROM issues WHERE project_id = $1::uuid";
  auto add_filter = [&](const std::string& key, const std::string& clause) {
    auto it = req.query.find(key);
    if (it == req.query.end()) return;
    params.emplace_back(it->second);
    std::string c = clause;
    c.replace(c.find('?'), 1, "$" + std::to_string(params.size()));
    sql += c;
  };
  add_filter("status", " AND status = ?");
  add_filter("level", " AND level = ?");
  add_filter("assigned_to", " AND assigned_to = ?::uuid");
  if (req.query.count("cursor") != 0) {
    params.emplace_back(req.query.at("cursor"));
    params.emplace_back(req.query_or("cursor_id", ""));
    sql += " AND (last_seen, id) < ($" + std::to_string(params.size() - 1) + "::timestamptz, $" +
           std::to_string(params.size()) + "::uuid)";
  }
  sql += " ORDER BY last_seen DESC, id DESC LIMIT " + std::to_string(limit);
  auto r = ctx.db.query(sql, params);
  if (!r.ok()) return error_response(500, *r.error);
  std::string items;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) items += ",";
    items += "{\"id\":" + q(r.text(i, 0)) + ",\"title\":" + q(r.text(i, 1)) +
             ",\"level\":" + q(r.text(i, 2)) + ",\"status\":" + q(r.text(i, 3)) +
             ",\"event_count\":" + r.text(i, 4) + ",\"first_seen\":" + q(r.text(i, 5)) +
             ",\"last_seen\":" + q(r.text(i, 6)) + ",\"assigned_to\":" + q(r.text(i, 7)) + "}";
  }
  bool full = static_cast<int>(r.rows.size()) == limit;
  std::size_t last = r.rows.empty() ? 0 : r.rows.size() - 1;
  return json(200, page(items, full, r.text(last, 6), r.text(last, 0)));
}

http_response search_events(twin_context& ctx, route_request& req) {
  std::string q_text = req.query_or("q", "");
  if (q_text.empty()) return error_response(400, "missing search query");
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  auto r = ctx.db.query(
      "SELECT id::text, issue_id::text, level, message, received_at::text FROM events "
      "WHERE project_id = $1::uuid AND received_at > now() - interval '24 hours' "
      "AND to_tsvector('english', message) @@ plainto_tsquery('english', $2) "
      "ORDER BY ts_rank(to_tsvector('english', message), plainto_tsquery('english', $2))::text DESC, "
      "received_at DESC LIMIT $3::int",
      {project_id, q_text, std::to_string(page_limit(req))});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"issue_id\":" + q(r.text(i, 1)) +
           ",\"level\":" + q(r.text(i, 2)) + ",\"message\":" + q(r.text(i, 3)) +
           ",\"received_at\":" + q(r.text(i, 4)) + "}";
  }
  return json(200, out + "]");
}

http_response events_by_tag(twin_context& ctx, route_request& req) {
  std::string key = req.query_or("key", "");
  std::string value = req.query_or("value", "");
  if (key.empty() || value.empty()) return error_response(400, "missing key or value parameter");
  std::string project_id = resolve_project_id(ctx, req.param("project_id"));
  // Built by concatenation, as Mesher does: quotes in key/value make invalid JSON → 500.
  std::string containment = "{\"" + key + "\":\"" + value + "\"}";
  auto r = ctx.db.query(
      "SELECT id::text, issue_id::text, level, message, tags::text, received_at::text FROM events "
      "WHERE project_id = $1::uuid AND received_at > now() - interval '24 hours' AND tags @> $2::jsonb "
      "ORDER BY received_at DESC LIMIT $3::int",
      {project_id, containment, std::to_string(page_limit(req))});
  if (!r.ok()) return error_response(500, *r.error);
  std::string out = "[";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ",";
    out += "{\"id\":" + q(r.text(i, 0)) + ",\"issue_id\":" + q(r.text(i, 1)) +
           ",\"level\":" + q(r.text(i, 2)) + ",\"message\":" + q(r.text(i, 3)) + ",\"tags\":" + r.text(i, 4) +
           ",\"received_at\":" + q(r.text(i, 5)) + "}";
  }
  return json(200, out + "]");
}

http_response issue_events(twin_context& ctx, route_request& req) {
  int limit = page_limit(req);
  std::vector<pg_value> params{req.param("issue_id")};
  std::string sql =
      "SELECT id::text, level, message, received_at::text FROM events WHERE issue_id = $1::uuid";
  if (req.query.count("cursor") != 0) {
    params.emplace_back(req.query.at("cursor"));
    params.emplace_back(req.query_or("cursor_id", ""));
    sql += " AND (received_at, id) < ($2::timestamptz, $3::uuid)";
  }
  sql += " ORDER BY received_at DESC, id DESC LIMIT " + std::to_string(limit);
  auto r = ctx.db.query(sql, params);
  if (!r.ok()) return error_response(500, *r.error);
  std::string items;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) items += ",";
    items += "{\"id\":" + q(r.text(i, 0)) + ",\"level\":" + q(r.text(i, 1)) +
             ",\"message\":" + q(r.text(i, 2)) + ",\"received_at\":" + q(r.text(i, 3)) + "}";
  }
  bool full = static_cast<int>(r.rows.size()) == limit;
  std::size_t last = r.rows.empty() ? 0 : r.rows.size() - 1;
  return json(200, page(items, full, r.text(last, 3), r.text(last, 0)));
}

}  // namespace

void add_search_routes(router& r, twin_context& ctx) {
  r.add("GET", "/api/v1/projects/:project_id/issues",
        [&ctx](route_request& req) { return list_issues(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/events/search",
        [&ctx](route_request& req) { return search_events(ctx, req); });
  r.add("GET", "/api/v1/projects/:project_id/events/tags",
        [&ctx](route_request& req) { return events_by_tag(ctx, req); });
  r.add("GET", "/api/v1/issues/:issue_id/events",
        [&ctx](route_request& req) { return issue_events(ctx, req); });
}

}  // namespace meshwatch::twin

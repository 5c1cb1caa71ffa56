#include "tests/twin/pipeline.hpp"

#include "tests/twin/route_util.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

// The fingerprint cascade of API.md §5.3. `frame_expr` is the only difference between HEAD and
// the fix: without parentheses `… || '|' || f->>'function_name'` parses as (text || f) ->> …
// and PostgreSQL rejects the whole statement (42883) before looking at the input.
std::string extract_sql(bool head) {
  std::string frame_expr = head ? "f->>'filename' || '|' || f->>'function_name'"
                                : "(f->>'filename') || '|' || (f->>'function_name')";
  return "SELECT CASE"
         " WHEN COALESCE(j->>'fingerprint', '') <> '' THEN j->>'fingerprint'"
         " WHEN jsonb_typeof(j->'stacktrace') = 'array' AND jsonb_array_length(j->'stacktrace') > 0 THEN"
         "  (SELECT string_agg(" +
         frame_expr +
         ", ';') FROM jsonb_array_elements(j->'stacktrace') f)"
         "  || ':' || lower(replace(COALESCE(j->>'message', ''), '0x', ''))"
         " WHEN j->'exception'->>'type_name' IS NOT NULL THEN"
         "  (j->'exception'->>'type_name') || ':' || lower(replace(COALESCE(j->'exception'->>'value', ''), "
         "'0x', ''))"
         " ELSE 'msg:' || lower(replace(COALESCE(j->>'message', ''), '0x', ''))"
         " END,"
         " COALESCE(NULLIF(j->>'message', ''), 'Untitled'),"
         " COALESCE(j->>'level', 'error')"
         " FROM (SELECT $1::jsonb AS j) s";
}

constexpr const char* upsert_issue_sql =
    "INSERT INTO issues (project_id, fingerprint, title, level, event_count) VALUES ($1::uuid, $2, $3, $4, "
    "1) "
    "ON CONFLICT (project_id, fingerprint) DO UPDATE SET event_count = issues.event_count + 1, last_seen = "
    "now(), "
    "status = CASE WHEN issues.status = 'resolved' THEN 'unresolved' ELSE issues.status END "
    "RETURNING id::text, (first_seen = last_seen)::text";

constexpr const char* insert_event_sql =
    "INSERT INTO events (project_id, issue_id, level, message, fingerprint, exception, stacktrace, "
    "breadcrumbs, "
    "tags, extra, user_context, sdk_name, sdk_version) "
    "SELECT $1::uuid, $2::uuid, COALESCE(j->>'level', 'error'), j->>'message', $3, j->'exception', "
    "j->'stacktrace', "
    "j->'breadcrumbs', COALESCE(j->'tags', '{}'::jsonb), COALESCE(j->'extra', '{}'::jsonb), "
    "j->'user_context', "
    "j->>'sdk_name', j->>'sdk_version' FROM (SELECT $4::jsonb AS j) s";

void fire(twin_context& ctx, const std::string& rule_id, const std::string& project_id,
          const std::string& rule_name, const std::string& condition, const std::string& message) {
  auto inserted = ctx.db.query(
      "INSERT INTO alerts (rule_id, project_id, message, condition_snapshot) VALUES ($1::uuid, $2::uuid, $3, "
      "jsonb_build_object('condition_type', $4::text, 'rule_name', $5::text)) RETURNING id::text",
      {rule_id, project_id, message, condition, rule_name});
  if (!inserted.ok() || inserted.empty()) return;
  ctx.db.query("UPDATE alert_rules SET last_fired_at = now() WHERE id = $1::uuid", {rule_id});
  ctx.ws.broadcast("project:" + project_id, "{\"type\":\"alert\",\"alert_id\":" + q(inserted.text(0, 0)) +
                                                ",\"rule_name\":" + q(rule_name) + ",\"condition\":" +
                                                q(condition) + ",\"message\":" + q(message) + "}");
}

}  // namespace

processed_event process_event(twin_context& ctx, const std::string& project_id, const std::string& body) {
  processed_event out;
  auto fields = ctx.db.query(extract_sql(!ctx.fixed()), {body});
  if (!fields.ok()) {
    out.error = fields.error;
    return out;
  }
  std::string fingerprint = fields.text(0, 0);
  auto discarded = ctx.db.query(
      "SELECT 1 FROM issues WHERE project_id = $1::uuid AND fingerprint = $2 AND status = 'discarded'",
      {project_id, fingerprint});
  if (!discarded.ok()) {
    out.error = discarded.error;
    return out;
  }
  if (!discarded.empty()) {
    out.issue_id = "discarded";
    return out;
  }
  auto issue =
      ctx.db.query(upsert_issue_sql, {project_id, fingerprint, fields.text(0, 1), fields.text(0, 2)});
  if (!issue.ok()) {
    out.error = issue.error;
    return out;
  }
  out.issue_id = issue.text(0, 0);
  out.new_issue = issue.text(0, 1) == "true";
  // Intended design: the event goes to the writer and is stored; a row the table refuses
  // (e.g. no `message`, NOT NULL) is dropped without failing the request.
  ctx.db.query(insert_event_sql, {project_id, out.issue_id, fingerprint, body});
  return out;
}

void broadcast_event(twin_context& ctx, const std::string& project_id, const processed_event& event,
                     const std::string& body) {
  std::string room = "project:" + project_id;
  ctx.ws.broadcast(room, "{\"type\":\"event\",\"issue_id\":" + q(event.issue_id) + ",\"data\":" + body + "}");
  auto count =
      ctx.db.query("SELECT count(*)::text FROM issues WHERE project_id = $1::uuid AND status = 'unresolved'",
                   {project_id});
  ctx.ws.broadcast(room, "{\"type\":\"issue_count\",\"project_id\":" + q(project_id) +
                             ",\"count\":" + (count.ok() ? count.text(0, 0) : std::string("0")) + "}");
}

void fire_new_issue_alerts(twin_context& ctx, const std::string& project_id, const std::string& issue_id) {
  if (!ctx.fixed()) return;
  auto rules = ctx.db.query(
      "SELECT id::text, name FROM alert_rules WHERE project_id = $1::uuid AND enabled "
      "AND condition_json->>'condition_type' = 'new_issue' "
      "AND (last_fired_at IS NULL OR last_fired_at < now() - make_interval(mins => cooldown_minutes))",
      {project_id});
  if (!rules.ok()) return;
  for (std::size_t i = 0; i < rules.rows.size(); ++i) {
    fire(ctx, rules.text(i, 0), project_id, rules.text(i, 1), "new_issue",
         "new_issue detected for issue " + issue_id);
  }
}

std::string evaluate_threshold_rules(twin_context& ctx) {
  auto rules = ctx.db.query(
      "SELECT id::text, project_id::text, name, COALESCE(condition_json->>'threshold', '0'), "
      "COALESCE(condition_json->>'window_minutes', '5') FROM alert_rules "
      "WHERE enabled AND condition_json->>'condition_type' = 'threshold' "
      "AND (last_fired_at IS NULL OR last_fired_at < now() - make_interval(mins => cooldown_minutes))");
  if (!rules.ok()) return "[Mesher] Alert evaluator error: " + *rules.error;
  int fired = 0;
  for (std::size_t i = 0; i < rules.rows.size(); ++i) {
    std::string rule_id = rules.text(i, 0), project_id = rules.text(i, 1), name = rules.text(i, 2);
    std::string threshold = rules.text(i, 3), window = rules.text(i, 4);
    if (!ctx.fixed()) {
      // HEAD: six parameters, $5 never referenced → 42P18 at parse time; swallowed.
      ctx.db.query(
          "SELECT count(*) > $2::int FROM events WHERE project_id = $1::uuid "
          "AND received_at > now() - make_interval(mins => $3::int) AND $4::text IS NOT NULL "
          "AND $6::text IS NOT NULL",
          {project_id, threshold, window, rule_id, name, "threshold"});
      continue;
    }
    auto over = ctx.db.query(
        "SELECT (count(*) > $2::int)::text FROM events WHERE project_id = $1::uuid "
        "AND received_at > now() - make_interval(mins => $3::int)",
        {project_id, threshold, window});
    if (over.ok() && over.text(0, 0) == "true") {
      fire(ctx, rule_id, project_id, name, "threshold",
           "Event count exceeded " + threshold + " in " + window + " minutes");
      ++fired;
    }
  }
  // HEAD never increments its counter (F-15); the intended evaluator reports what it fired.
  return "[Mesher] Alert evaluator: checked rules, " + std::to_string(ctx.fixed() ? fired : 0) + " fired";
}

}  // namespace meshwatch::twin

// Routes 20–36 (API.md §3.F–§3.J), both modes.
#include "tests/integration/twin/conformance.hpp"

namespace meshwatch::twin_test {
namespace {

using TeamRoutes = TwinRoutes;
using AlertRoutes = TwinRoutes;
using SettingsRoutes = TwinRoutes;

TEST_P(TeamRoutes, Members) {
  std::string base = "/api/v1/orgs/" + t.org + "/members";
  EXPECT_REPLY_MATCHES(
      twin.get(base), 200,
      R"(\[\{"id":")" + t.membership + R"(","user_id":")" + t.user_a + R"(","email":"a-)" + t.user_a +
          R"(@synthetic.invalid","display_name":"Probe A","role":"member","joined_at":")" + ts + R"("\}\])");
  EXPECT_REPLY(twin.get("/api/v1/orgs/default/members"), 500, pgerr_uuid("default"));
  EXPECT_REPLY(twin.get("/api/v1/orgs/" + fresh_uuid() + "/members"), 200, "[]");

  auto added = twin.post(base, "{\"user_id\":\"" + t.user_b + "\",\"role\":\"admin\"}");
  EXPECT_REPLY_MATCHES(added, 201, R"(\{"id":")" + uuid_re + R"("\})");
  std::string m = added->body.substr(7, 36);
  EXPECT_REPLY(
      twin.post(base, "{\"user_id\":\"" + t.user_b + "\"}"), 500,
      "{\"error\":\"23505\torg_memberships_user_id_org_id_key\torg_memberships\t\tduplicate key value "
      "violates unique constraint \"org_memberships_user_id_org_id_key\"\"}");
  EXPECT_REPLY(twin.post(base, "{\"role\":\"member\"}"), 400, "{\"error\":\"user_id is required\"}");
  EXPECT_REPLY(twin.post(base, "garbage"), 400, "{\"error\":\"user_id is required\"}");
  EXPECT_REPLY(
      twin.post("/api/v1/orgs/" + fresh_uuid() + "/members", "{\"user_id\":\"" + t.user_b + "\"}"), 500,
      "{\"error\":\"23503\torg_memberships_org_id_fkey\torg_memberships\t\tinsert or update on table "
      "\"org_memberships\" violates foreign key constraint \"org_memberships_org_id_fkey\"\"}");

  // Role: any org id works; invalid role → affected 0.
  std::string other_org = fresh_uuid();
  EXPECT_REPLY(twin.post("/api/v1/orgs/" + other_org + "/members/" + m + "/role", "{\"role\":\"owner\"}"),
               200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post(base + "/" + m + "/role", "{\"role\":\"bogus\"}"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY(twin.post(base + "/" + m + "/role", ""), 200, "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY(twin.post(base + "/abc/role", "{\"role\":\"owner\"}"), 500, pgerr_uuid("abc"));

  EXPECT_REPLY(twin.post(base + "/" + m + "/remove"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post(base + "/" + m + "/remove"), 500,
               "{\"error\":\"delete: no row returned (id not found)\"}");
}

TEST_P(TeamRoutes, ApiKeys) {
  std::string base = "/api/v1/projects/" + t.project + "/api-keys";
  auto created = twin.post(base, "{\"label\":\"probe-rotate\"}");
  EXPECT_REPLY_MATCHES(created, 201, R"(\{"key_value":"mshr_[0-9a-f]{48}"\})");
  std::string key = created->body.substr(14, 53);
  EXPECT_REPLY_MATCHES(twin.post("/api/v1/projects/" + t.slug + "/api-keys"), 201,
                       R"(\{"key_value":"mshr_[0-9a-f]{48}"\})");
  auto row = R"(\{"id":")" + uuid_re + R"(","project_id":")" + t.project +
             R"(","key_value":"[^"]+","label":"[a-z-]+",)"
             R"("created_at":")" +
             ts + R"(","revoked_at":(null|")" + ts + R"(")\})";
  EXPECT_REPLY_MATCHES(twin.get(base), 200, R"(\[)" + row + "," + row + "," + row + R"(\])");
  auto id = database().query("SELECT id::text FROM api_keys WHERE key_value = $1", {key}).text(0, 0);
  // Usable at once, unusable after revoke.
  auto ingest = [&] { return twin.call("POST", "/api/v1/events", "{}", {{"x-sentry-auth", key}})->status; };
  EXPECT_NE(ingest(), 401);
  EXPECT_REPLY(twin.post("/api/v1/api-keys/" + id + "/revoke"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(ingest(), 401);
  EXPECT_REPLY(twin.post("/api/v1/api-keys/" + fresh_uuid() + "/revoke"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY(twin.post("/api/v1/api-keys/x/revoke"), 500, pgerr_uuid("x"));
  EXPECT_REPLY_MATCHES(twin.post("/api/v1/projects/" + fresh_uuid() + "/api-keys"), 500,
                       R"(\{"error":"23503\tapi_keys_project_id_fkey\tapi_keys\t\t.*\})");
}

TEST_P(AlertRoutes, RulesLifecycle) {
  std::string base = "/api/v1/projects/" + t.project + "/alert-rules";
  EXPECT_REPLY_MATCHES(twin.get(base), 200,
                       R"(\[\{"id":")" + t.rule + R"(","project_id":")" + t.project +
                           R"(","name":"synthetic-noop","condition":\{"condition_type": "synthetic-noop"\},)"
                           R"("action":\{"type": "websocket"\},"enabled":true,"cooldown_minutes":60,)"
                           R"("last_fired_at":null,"created_at":")" +
                           ts + R"("\}\])");
  auto created = twin.post(base,
                           "{\"name\":\"probe-tmp\",\"condition\":{\"condition_type\":\"synthetic-noop\"},"
                           "\"cooldown_minutes\":\"5\"}");
  EXPECT_REPLY_MATCHES(created, 201, R"(\{"id":")" + uuid_re + R"("\})");
  std::string r = created->body.substr(7, 36);
  EXPECT_REPLY_MATCHES(twin.post(base, "{}"), 201, R"(\{"id":")" + uuid_re + R"("\})");
  auto defaults = database().query(
      "SELECT name, condition_json::text, action_json::text, cooldown_minutes::text FROM alert_rules "
      "WHERE project_id = $1::uuid AND name = 'Unnamed Rule'",
      {t.project});
  ASSERT_EQ(defaults.rows.size(), 1u);
  EXPECT_EQ(defaults.text(0, 1), "{}");
  EXPECT_EQ(defaults.text(0, 2), "{\"type\": \"websocket\"}");
  EXPECT_EQ(defaults.text(0, 3), "60");
  EXPECT_REPLY(twin.post(base, "nope"), 400,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type json\"}");
  EXPECT_REPLY(twin.post(base, "{\"cooldown_minutes\":\"x\"}"), 400,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type integer: \"x\"\"}");
  EXPECT_REPLY_MATCHES(twin.post("/api/v1/projects/" + fresh_uuid() + "/alert-rules", "{}"), 400,
                       R"(\{"error":"23503\talert_rules_project_id_fkey\talert_rules\t\t.*\})");

  EXPECT_REPLY(twin.post("/api/v1/alert-rules/" + r + "/toggle", "{\"enabled\":false}"), 200,
               "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(database().query("SELECT enabled::text FROM alert_rules WHERE id = $1::uuid", {r}).text(0, 0),
            "false");
  EXPECT_REPLY(twin.post("/api/v1/alert-rules/" + r + "/toggle"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(database().query("SELECT enabled::text FROM alert_rules WHERE id = $1::uuid", {r}).text(0, 0),
            "true");
  EXPECT_REPLY(twin.post("/api/v1/alert-rules/" + r + "/toggle", "{\"enabled\":\"off\"}"), 200,
               "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post("/api/v1/alert-rules/" + r + "/toggle", "{\"enabled\":\"maybe\"}"), 500,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type boolean: \"maybe\"\"}");
  EXPECT_REPLY(twin.post("/api/v1/alert-rules/" + r + "/delete"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post("/api/v1/alert-rules/" + r + "/delete"), 500,
               "{\"error\":\"delete: no row returned (id not found)\"}");
  EXPECT_REPLY(twin.post("/api/v1/alert-rules/zz/delete"), 500, pgerr_uuid("zz"));
}

TEST_P(AlertRoutes, AlertsListAcknowledgeResolve) {
  std::string base = "/api/v1/projects/" + t.project + "/alerts";
  std::string active = R"(\[\{"id":")" + t.alert + R"(","rule_id":")" + t.rule + R"(","project_id":")" +
                       t.project +
                       R"(","status":"active","message":"synthetic probe alert",)"
                       R"("condition_snapshot":\{"condition_type": "synthetic-noop"\},"triggered_at":")" +
                       ts + R"(","acknowledged_at":null,"resolved_at":null,"rule_name":"synthetic-noop"\}\])";
  EXPECT_REPLY_MATCHES(twin.get(base + "?status=active"), 200, active);
  EXPECT_REPLY(twin.get(base + "?status=resolved"), 200, "[]");
  EXPECT_REPLY(twin.post("/api/v1/alerts/" + t.alert + "/acknowledge"), 200,
               "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post("/api/v1/alerts/" + t.alert + "/acknowledge"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY_MATCHES(
      twin.get(base), 200,
      R"(.*"status":"acknowledged".*"acknowledged_at":")" + ts + R"(","resolved_at":null.*)");
  EXPECT_REPLY(twin.post("/api/v1/alerts/" + t.alert + "/resolve"), 200,
               "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post("/api/v1/alerts/" + t.alert + "/resolve"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY(twin.post("/api/v1/alerts/q/resolve"), 500, pgerr_uuid("q"));
  EXPECT_REPLY(twin.post("/api/v1/alerts/q/acknowledge"), 500, pgerr_uuid("q"));
}

TEST_P(SettingsRoutes, SettingsAndStorage) {
  std::string base = "/api/v1/projects/" + t.project;
  EXPECT_REPLY(twin.get(base + "/settings"), 200, "{\"retention_days\":90,\"sample_rate\":1}");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + fresh_uuid() + "/settings"), 404,
               "{\"error\":\"project not found\"}");
  EXPECT_REPLY(twin.get("/api/v1/projects/unknown-slug/settings"), 500, pgerr_uuid(""));
  EXPECT_REPLY(twin.post(base + "/settings", "{\"retention_days\":\"30\",\"sample_rate\":0.5}"), 200,
               "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.slug + "/settings"), 200,
               "{\"retention_days\":30,\"sample_rate\":0.5}");
  EXPECT_REPLY(twin.post(base + "/settings", "[]"), 200, "{\"status\":\"ok\",\"affected\":1}");
  // No range checks (on the event-less project: a running retention cleaner must not see -4 here).
  EXPECT_REPLY(twin.post("/api/v1/projects/" + t.project_sampled + "/settings", "{\"retention_days\":-4}"),
               200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_REPLY(twin.post(base + "/settings", "{\"retention_days\":30.5}"), 400,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type integer: \"30.5\"\"}");
  EXPECT_REPLY(twin.post(base + "/settings", "x"), 400,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type json\"}");
  EXPECT_REPLY(twin.post("/api/v1/projects/" + fresh_uuid() + "/settings", "{}"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY(twin.post("/api/v1/projects/nope/settings", "{}"), 400, pgerr_uuid(""));

  EXPECT_REPLY(twin.get(base + "/storage"), 200, "{\"event_count\":3,\"estimated_bytes\":3072}");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + fresh_uuid() + "/storage"), 200,
               "{\"event_count\":0,\"estimated_bytes\":0}");
  EXPECT_REPLY(twin.get("/api/v1/projects/nope/storage"), 500, pgerr_uuid(""));
}

TWIN_BOTH_MODES(TeamRoutes);
TWIN_BOTH_MODES(AlertRoutes);
TWIN_BOTH_MODES(SettingsRoutes);

}  // namespace
}  // namespace meshwatch::twin_test

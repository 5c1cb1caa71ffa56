// Route 13 (event detail) and 14–19 (issue actions, with their WS pushes), both modes.
#include "tests/integration/twin/conformance.hpp"
#include "tests/integration/twin/ws_probe.hpp"

namespace meshwatch::twin_test {
namespace {

using IssueRoutes = TwinRoutes;

TEST_P(IssueRoutes, EventDetailWithNavigation) {
  std::string event_re =
      R"(\{"event":\{"id":")" + t.e1 + R"(","project_id":")" + t.project + R"(","issue_id":")" + t.issue_a +
      R"(","level":"error","message":"synthetic probe event one","fingerprint":"synthetic:probe-a",)"
      R"("exception":null,"stacktrace":\[\],"breadcrumbs":\[\],"tags":\{"probe": "synthetic"\},)"
      R"("extra":\{\},"user_context":null,"sdk_name":"","sdk_version":"","received_at":")" +
      ts + R"("\},"navigation":\{"next_id":")" + t.e2 + R"(","prev_id":null\}\})";
  EXPECT_REPLY_MATCHES(twin.get("/api/v1/events/" + t.e1), 200, event_re);
  EXPECT_REPLY_MATCHES(twin.get("/api/v1/events/" + t.e2), 200,
                       R"(.*"navigation":\{"next_id":null,"prev_id":")" + t.e1 + R"("\}\})");
  EXPECT_REPLY(twin.get("/api/v1/events/" + fresh_uuid()), 404, "{\"error\":\"event not found\"}");
  EXPECT_REPLY(twin.get("/api/v1/events/abc"), 500, pgerr_uuid("abc"));
}

TEST_P(IssueRoutes, StatusActionsAnswerAndPushToTheProjectRoom) {
  ws_probe stream(twin.ws_port(), "/stream/projects/" + t.project);
  ASSERT_TRUE(stream.open());
  ASSERT_TRUE(stream.send("{\"filters\":{}}"));
  EXPECT_EQ(stream.read(), "{\"type\":\"filters_updated\"}");
  auto push = [&](const std::string& action) {
    return "{\"type\":\"issue\",\"action\":\"" + action + "\",\"issue_id\":\"" + t.issue_a + "\"}";
  };
  std::string base = "/api/v1/issues/" + t.issue_a;
  EXPECT_REPLY(twin.post(base + "/resolve"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(stream.read(), push("resolved"));
  // Already resolved: affected 0, but the push still happens.
  EXPECT_REPLY(twin.post(base + "/resolve"), 200, "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_EQ(stream.read(), push("resolved"));
  EXPECT_REPLY(twin.post(base + "/archive"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(stream.read(), push("archived"));
  EXPECT_REPLY(twin.post(base + "/unresolve"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(stream.read(), push("unresolved"));
  EXPECT_REPLY(twin.post(base + "/discard"), 200, "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(stream.read(), push("discarded"));
  auto status = database().query("SELECT status FROM issues WHERE id = $1::uuid", {t.issue_a});
  EXPECT_EQ(status.text(0, 0), "discarded");
  // Unknown issue: affected 0, no push; non-UUID: 500.
  EXPECT_REPLY(twin.post("/api/v1/issues/" + fresh_uuid() + "/archive"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
  EXPECT_REPLY(twin.post("/api/v1/issues/abc/resolve"), 500, pgerr_uuid("abc"));
  EXPECT_EQ(stream.read(std::chrono::milliseconds(300)), std::nullopt);
}

TEST_P(IssueRoutes, AssignAndDelete) {
  std::string base = "/api/v1/issues/" + t.issue_a;
  EXPECT_REPLY(twin.post(base + "/assign", "{\"user_id\":\"" + t.user_a + "\"}"), 200, "{\"status\":\"ok\"}");
  EXPECT_EQ(
      database().query("SELECT assigned_to::text FROM issues WHERE id = $1::uuid", {t.issue_a}).text(0, 0),
      t.user_a);
  EXPECT_REPLY_MATCHES(twin.get("/api/v1/projects/" + t.project + "/issues"), 200,
                       ".*\"assigned_to\":\"" + t.user_a + "\".*");
  EXPECT_REPLY(twin.post(base + "/assign", "not json"), 200, "{\"status\":\"ok\"}");
  EXPECT_TRUE(
      database().query("SELECT assigned_to FROM issues WHERE id = $1::uuid", {t.issue_a}).is_null(0, 0));
  EXPECT_REPLY(twin.post("/api/v1/issues/" + fresh_uuid() + "/assign", "{}"), 200, "{\"status\":\"ok\"}");
  EXPECT_REPLY(twin.post(base + "/assign", "{\"user_id\":\"nope\"}"), 500, pgerr_uuid("nope"));
  std::string ghost = fresh_uuid();
  EXPECT_REPLY(
      twin.post(base + "/assign", "{\"user_id\":\"" + ghost + "\"}"), 500,
      "{\"error\":\"23503\tissues_assigned_to_fkey\tissues\t\tinsert or update on table \"issues\" violates "
      "foreign key constraint \"issues_assigned_to_fkey\"\"}");

  EXPECT_REPLY(twin.post("/api/v1/issues/" + t.issue_b + "/delete"), 200,
               "{\"status\":\"ok\",\"affected\":1}");
  EXPECT_EQ(
      database().query("SELECT count(*)::text FROM events WHERE issue_id = $1::uuid", {t.issue_b}).text(0, 0),
      "0");
  EXPECT_REPLY(twin.post("/api/v1/issues/" + t.issue_b + "/delete"), 200,
               "{\"status\":\"ok\",\"affected\":0}");
}

TWIN_BOTH_MODES(IssueRoutes);

}  // namespace
}  // namespace meshwatch::twin_test

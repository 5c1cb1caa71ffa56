// Routes 1–2 (API.md §3.A, §5): HEAD defects in snapshot mode (F-13, F-14, F-15), the intended
// pipeline in fixed mode (202, issue + event stored, pushes, alerts, resetting rate window).
#include "tests/integration/twin/conformance.hpp"
#include "tests/integration/twin/ws_probe.hpp"
#include "tests/support/scratch_database.hpp"

namespace meshwatch::twin_test {
namespace {

const std::string head_error = "{\"error\":\"42883\t\t\t\toperator does not exist: text ->> unknown\"}";

class Ingest : public ::testing::Test {
 protected:
  std::optional<test::http_response> send(twin_process& twin, const std::string& key, const std::string& body,
                                          const std::string& route = "/api/v1/events") {
    return twin.call("POST", route, body, {{"x-sentry-auth", key}});
  }
};

TEST_F(Ingest, SnapshotEveryAuthenticatedEventFailsAtParseTime) {
  twin_process twin;
  auto t = seed_tenant();
  EXPECT_REPLY(
      send(twin, t.key, "{\"message\":\"synthetic probe ingest\",\"fingerprint\":\"synthetic:ingest\"}"), 400,
      head_error);
  EXPECT_REPLY(send(twin, t.key, "not json at all"), 400, head_error);
  EXPECT_REPLY(send(twin, t.key, "[{\"message\":\"a\"}]", "/api/v1/events/bulk"), 400, head_error);
  // Sampled-out bulk (sample_rate 0): 202 right after auth.
  EXPECT_REPLY(send(twin, t.key_sampled, "[{\"message\":\"synthetic\"}]", "/api/v1/events/bulk"), 202,
               "{\"status\":\"accepted\"}");
  EXPECT_REPLY(send(twin, "mshr_invalid_probe", "{}"), 401, "{\"error\":\"unauthorized\"}");
  EXPECT_REPLY(twin.call("POST", "/api/v1/events", "{}"), 401, "{\"error\":\"unauthorized\"}");
  EXPECT_REPLY(send(twin, t.key, std::string(1'048'577, 'a')), 400, "{\"error\":\"payload too large\"}");
  auto issues =
      database().query("SELECT count(*)::text FROM issues WHERE project_id = $1::uuid", {t.project});
  EXPECT_EQ(issues.text(0, 0), "2");  // nothing ingested
}

TEST_F(Ingest, SnapshotRateLimitNeverResets) {
  twin_process twin(
      {.env = {{"MESHER_TWIN_RATE_LIMIT", "3"}, {"MESHER_TWIN_INTERVALS", "rate_window=100ms"}}});
  auto t = seed_tenant();
  for (int i = 0; i < 3; ++i) EXPECT_REPLY(send(twin, t.key, "{}"), 400, head_error);
  EXPECT_REPLY(send(twin, t.key, "{}"), 429, "{\"error\":\"rate limited\"}");
  auto r = send(twin, t.key, "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers.count("retry-after"), 0u);
  // Well past the (ignored) window it is still limited: the ticker is never started (F-13).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_REPLY(send(twin, t.key, "{}"), 429, "{\"error\":\"rate limited\"}");
}

/**
 * A twin whose alert evaluator runs every 200 ms, on a database of its own (every twin evaluates
 * every rule of its database: a parallel test's fixed-mode twin would fire this rule, or leave it
 * cooling down), with a seeded tenant and a threshold rule on its project.
 */
struct evaluator_on_own_database {
  evaluator_on_own_database(const std::string& mode, int threshold)
      : twin({.mode = mode,
              .env = {{"MESHER_TWIN_INTERVALS", "alert=200ms"}, {"MESHER_TWIN_DSN", own.dsn()}}}),
        db(own.dsn(), 2, 10s),
        t(seed_tenant(db)) {
    auto condition = "{\"condition_type\":\"threshold\",\"threshold\":" + std::to_string(threshold) +
                     ",\"window_minutes\":60}";
    auto inserted = db.query(
        "INSERT INTO alert_rules (project_id, name, condition_json, action_json) VALUES "
        "($1::uuid, 'thr', $2::jsonb, '{}')",
        {t.project, condition});
    if (!inserted.ok()) throw std::runtime_error("rule insert failed: " + *inserted.error);
  }
  test::scratch_database own;
  twin_process twin;
  twin::pg_pool db;
  tenant t;
};

TEST_F(Ingest, SnapshotAlertEvaluatorFiresNothing) {
  evaluator_on_own_database run("snapshot", 0);
  auto& [own, twin, db, t] = run;
  std::size_t seen = 0;
  EXPECT_TRUE(twin.proc().wait_for_line(
      test::stream::out,
      [&](const std::string& l) {
        return l == "[Mesher] Alert evaluator: checked rules, 0 fired" && ++seen == 2;
      },
      5s));
  EXPECT_EQ(db.query("SELECT count(*)::text FROM alerts WHERE project_id = $1::uuid", {t.project}).text(0, 0),
            "1");
}

TEST_F(Ingest, FixedEventIsAcceptedStoredAndPushed) {
  twin_process twin({.mode = "fixed"});
  auto t = seed_tenant();
  ws_probe stream(twin.ws_port(), "/stream/projects/" + t.project);
  ASSERT_TRUE(stream.open());
  std::string body =
      "{\"message\":\"Boom 0xdead\",\"level\":\"warning\",\"tags\":{\"env\":\"prod\"},\"sdk_name\":\"x\"}";
  EXPECT_REPLY(send(twin, t.key, body), 202, "{\"status\":\"accepted\"}");
  auto issue = database().query(
      "SELECT id::text, title, level, event_count::text, status FROM issues WHERE project_id = $1::uuid AND "
      "fingerprint = 'msg:boom dead'",
      {t.project});
  ASSERT_EQ(issue.rows.size(), 1u);
  EXPECT_EQ(issue.text(0, 1), "Boom 0xdead");
  EXPECT_EQ(issue.text(0, 2), "warning");
  EXPECT_EQ(issue.text(0, 3), "1");
  std::string issue_id = issue.text(0, 0);
  EXPECT_EQ(stream.read(), "{\"type\":\"event\",\"issue_id\":\"" + issue_id + "\",\"data\":" + body + "}");
  EXPECT_EQ(stream.read(), "{\"type\":\"issue_count\",\"project_id\":\"" + t.project + "\",\"count\":3}");
  auto event = database().query("SELECT message, tags::text, sdk_name FROM events WHERE issue_id = $1::uuid",
                                {issue_id});
  ASSERT_EQ(event.rows.size(), 1u);
  EXPECT_EQ(event.text(0, 1), "{\"env\": \"prod\"}");

  // Same fingerprint again: counted; resolved issues regress to unresolved.
  ASSERT_TRUE(database().query("UPDATE issues SET status = 'resolved' WHERE id = $1::uuid", {issue_id}).ok());
  EXPECT_REPLY(send(twin, t.key, body), 202, "{\"status\":\"accepted\"}");
  auto again =
      database().query("SELECT event_count::text, status FROM issues WHERE id = $1::uuid", {issue_id});
  EXPECT_EQ(again.text(0, 0), "2");
  EXPECT_EQ(again.text(0, 1), "unresolved");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.project + "/storage"), 200,
               "{\"event_count\":5,\"estimated_bytes\":5120}");
}

TEST_F(Ingest, FixedFingerprintCascadeAndErrors) {
  twin_process twin({.mode = "fixed"});
  auto t = seed_tenant();
  auto fingerprint_of = [&](const std::string& body, const std::string& route = "/api/v1/events") {
    auto r = send(twin, t.key, body, route);
    EXPECT_TRUE(r && r->status == 202) << (r ? r->body : "no response");
    auto f = database().query(
        "SELECT fingerprint FROM issues WHERE project_id = $1::uuid ORDER BY last_seen DESC LIMIT 1",
        {t.project});
    return f.text(0, 0);
  };
  EXPECT_EQ(fingerprint_of("{\"fingerprint\":\"custom-1\",\"message\":\"x\"}"), "custom-1");
  EXPECT_EQ(
      fingerprint_of("{\"message\":\"Msg "
                     "0x1F\",\"stacktrace\":[{\"filename\":\"a.js\",\"function_name\":\"f\",\"lineno\":3},"
                     "{\"filename\":\"b.js\",\"function_name\":\"g\"}]}"),
      "a.js|f;b.js|g:msg 1f");
  EXPECT_EQ(
      fingerprint_of("{\"message\":\"m\",\"exception\":{\"type_name\":\"TypeError\",\"value\":\"Bad 0X1\"}}"),
      "TypeError:bad 0x1");
  EXPECT_EQ(fingerprint_of("[{\"message\":\"a\"},{\"message\":\"b\"}]", "/api/v1/events/bulk"), "msg:");
  EXPECT_EQ(database()
                .query("SELECT title, level FROM issues WHERE project_id = $1::uuid AND fingerprint = 'msg:'",
                       {t.project})
                .text(0, 0),
            "Untitled");
  EXPECT_REPLY(send(twin, t.key, "not json"), 400,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type json\"}");
}

TEST_F(Ingest, FixedDiscardedFingerprintIsDroppedButStillPushed) {
  twin_process twin({.mode = "fixed"});
  auto t = seed_tenant();
  ASSERT_TRUE(
      database().query("UPDATE issues SET status = 'discarded' WHERE id = $1::uuid", {t.issue_b}).ok());
  ws_probe stream(twin.ws_port(), "/stream/projects/" + t.project);
  ASSERT_TRUE(stream.open());
  std::string body = "{\"fingerprint\":\"synthetic:probe-b\",\"message\":\"x\"}";
  EXPECT_REPLY(send(twin, t.key, body), 202, "{\"status\":\"accepted\"}");
  EXPECT_EQ(stream.read(), "{\"type\":\"event\",\"issue_id\":\"discarded\",\"data\":" + body + "}");
  EXPECT_EQ(stream.read(), "{\"type\":\"issue_count\",\"project_id\":\"" + t.project + "\",\"count\":1}");
  EXPECT_EQ(
      database().query("SELECT event_count::text FROM issues WHERE id = $1::uuid", {t.issue_b}).text(0, 0),
      "1");
}

TEST_F(Ingest, FixedNewIssueRuleFiresAnAlert) {
  twin_process twin({.mode = "fixed"});
  auto t = seed_tenant();
  ASSERT_TRUE(
      database()
          .query("INSERT INTO alert_rules (project_id, name, condition_json, action_json, cooldown_minutes) "
                 "VALUES ($1::uuid, 'on-new', '{\"condition_type\":\"new_issue\"}', '{}', 0)",
                 {t.project})
          .ok());
  ws_probe stream(twin.ws_port(), "/stream/projects/" + t.project);
  ASSERT_TRUE(stream.open());
  EXPECT_REPLY(send(twin, t.key, "{\"message\":\"brand new\"}"), 202, "{\"status\":\"accepted\"}");
  auto issue_id =
      database()
          .query("SELECT id::text FROM issues WHERE project_id = $1::uuid AND fingerprint = 'msg:brand new'",
                 {t.project})
          .text(0, 0);
  ASSERT_TRUE(stream.read());  // event
  ASSERT_TRUE(stream.read());  // issue_count
  auto alert = stream.read();
  ASSERT_TRUE(alert);
  EXPECT_TRUE(std::regex_match(
      *alert,
      std::regex(
          R"(\{"type":"alert","alert_id":")" + uuid_re +
          R"(","rule_name":"on-new","condition":"new_issue","message":"new_issue detected for issue )" +
          issue_id + R"("\})")))
      << *alert;
  EXPECT_REPLY_MATCHES(
      twin.get("/api/v1/projects/" + t.project + "/alerts"), 200,
      R"(\[\{"id":")" + uuid_re + R"(","rule_id":")" + uuid_re +
          R"(",.*"condition_snapshot":\{"rule_name": "on-new", "condition_type": "new_issue"\}.*)");
}

TEST_F(Ingest, FixedThresholdRuleFiresFromTheEvaluator) {
  evaluator_on_own_database run("fixed", 2);
  auto& [own, twin, db, t] = run;
  EXPECT_TRUE(twin.proc().wait_for_line(
      test::stream::out,
      [](const std::string& l) {
        return l.rfind("[Mesher] Alert evaluator: checked rules, ", 0) == 0 &&
               l.find(" 0 fired") == std::string::npos;
      },
      5s))
      << twin.proc().console();
  auto alerts = db.query(
      "SELECT message FROM alerts WHERE project_id = $1::uuid AND status = 'active' ORDER BY triggered_at "
      "DESC",
      {t.project});
  ASSERT_GE(alerts.rows.size(), 2u);
  EXPECT_EQ(alerts.text(0, 0), "Event count exceeded 2 in 60 minutes");
}

TEST_F(Ingest, FixedRateLimitWindowResets) {
  twin_process twin(
      {.mode = "fixed",
       .env = {{"MESHER_TWIN_RATE_LIMIT", "2"}, {"MESHER_TWIN_INTERVALS", "rate_window=300ms"}}});
  auto t = seed_tenant();
  EXPECT_REPLY(send(twin, t.key, "{\"message\":\"r\"}"), 202, "{\"status\":\"accepted\"}");
  EXPECT_REPLY(send(twin, t.key, "{\"message\":\"r\"}"), 202, "{\"status\":\"accepted\"}");
  EXPECT_REPLY(send(twin, t.key, "{\"message\":\"r\"}"), 429, "{\"error\":\"rate limited\"}");
  int status = 429;
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (status == 429 && std::chrono::steady_clock::now() < deadline) {
    auto r = send(twin, t.key, "{\"message\":\"r\"}");
    status = r ? r->status : 0;
  }
  EXPECT_EQ(status, 202);
}

}  // namespace
}  // namespace meshwatch::twin_test

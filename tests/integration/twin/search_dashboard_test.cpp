// Routes 3–12 (API.md §3.B, §3.C) in both modes.
#include "tests/integration/twin/conformance.hpp"

namespace meshwatch::twin_test {
namespace {

using SearchRoutes = TwinRoutes;
using DashboardRoutes = TwinRoutes;

std::string issue_re(const std::string& id, const std::string& title, int count,
                     const std::string& assigned = "") {
  return R"(\{"id":")" + id + R"(","title":")" + title +
         R"(","level":"error","status":"unresolved","event_count":)" + std::to_string(count) +
         R"(,"first_seen":")" + ts + R"(","last_seen":")" + ts + R"(","assigned_to":")" + assigned + R"("\})";
}

TEST_P(SearchRoutes, IssuesPaginationByCursor) {
  std::string base = "/api/v1/projects/" + t.project + "/issues";
  auto first = twin.get(base + "?limit=1");
  EXPECT_REPLY_MATCHES(first, 200,
                       R"(\{"data":\[)" + issue_re(t.issue_b, "synthetic probe doomed", 1) +
                           R"(\],"next_cursor":")" + ts + R"(","next_cursor_id":")" + t.issue_b +
                           R"(","has_more":true\})");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first->body, m, std::regex(R"re("next_cursor":"([^"]+)")re")));
  std::string cursor = m[1];
  cursor[10] = 'T';  // the space must be sent as T (no decoding)
  auto second = twin.get(base + "?limit=1&cursor=" + cursor + "&cursor_id=" + t.issue_b);
  EXPECT_REPLY_MATCHES(second, 200,
                       R"(\{"data":\[)" + issue_re(t.issue_a, "synthetic probe issue", 2) + ".*");
  // By slug; limit > 100 silently becomes 25.
  EXPECT_REPLY_MATCHES(twin.get("/api/v1/projects/" + t.slug + "/issues?limit=101"), 200,
                       R"(\{"data":\[)" + issue_re(t.issue_b, "synthetic probe doomed", 1) + "," +
                           issue_re(t.issue_a, "synthetic probe issue", 2) + R"(\],"has_more":false\})");
  EXPECT_REPLY(twin.get(base + "?status=resolved"), 200, "{\"data\":[],\"has_more\":false}");
  EXPECT_REPLY(twin.get("/api/v1/projects/no-such-slug/issues"), 500, pgerr_uuid(""));
  EXPECT_REPLY(twin.get(base + "?assigned_to=abc"), 500, pgerr_uuid("abc"));
  EXPECT_REPLY(twin.get(base + "?cursor=" + cursor), 500, pgerr_uuid(""));
}

TEST_P(SearchRoutes, FullTextSearch) {
  std::string base = "/api/v1/projects/" + t.project + "/events/search";
  std::string row = R"(\{"id":")" + uuid_re + R"(","issue_id":")" + uuid_re +
                    R"(","level":"error","message":"synthetic probe event [a-z]+","received_at":")" + ts +
                    R"("\})";
  EXPECT_REPLY_MATCHES(twin.get(base + "?q=synthetic"), 200, R"(\[)" + row + "," + row + "," + row + R"(\])");
  EXPECT_REPLY_MATCHES(twin.get(base + "?q=three"), 200, R"(\[\{"id":")" + t.e3 + ".*");
  EXPECT_REPLY(twin.get(base), 400, "{\"error\":\"missing search query\"}");
  EXPECT_REPLY(twin.get(base + "?q="), 400, "{\"error\":\"missing search query\"}");
}

TEST_P(SearchRoutes, EventsByTag) {
  std::string base = "/api/v1/projects/" + t.project + "/events/tags";
  EXPECT_REPLY_MATCHES(
      twin.get(base + "?key=probe&value=synthetic"), 200,
      R"(\[\{"id":")" + t.e3 + R"(","issue_id":")" + t.issue_b +
          R"(","level":"error","message":"synthetic probe event three","tags":\{"probe": "synthetic"\},"received_at":")" +
          ts + R"("\},.*\])");
  EXPECT_REPLY(twin.get(base + "?key=probe&value=other"), 200, "[]");
  EXPECT_REPLY(twin.get(base + "?key=probe"), 400, "{\"error\":\"missing key or value parameter\"}");
  EXPECT_REPLY_MATCHES(twin.get(base + "?key=a\"b&value=c"), 500,
                       R"(\{"error":"22P02\t\t\t\tinvalid input syntax for type json"\})");
}

TEST_P(SearchRoutes, IssueEvents) {
  auto row = [&](const std::string& id, const std::string& word) {
    return R"(\{"id":")" + id + R"(","level":"error","message":"synthetic probe event )" + word +
           R"(","received_at":")" + ts + R"("\})";
  };
  EXPECT_REPLY_MATCHES(
      twin.get("/api/v1/issues/" + t.issue_a + "/events"), 200,
      R"(\{"data":\[)" + row(t.e2, "two") + "," + row(t.e1, "one") + R"(\],"has_more":false\})");
  EXPECT_REPLY_MATCHES(twin.get("/api/v1/issues/" + t.issue_a + "/events?limit=1"), 200,
                       R"(\{"data":\[)" + row(t.e2, "two") + R"(\],"next_cursor":")" + ts +
                           R"(","next_cursor_id":")" + t.e2 + R"(","has_more":true\})");
  EXPECT_REPLY(twin.get("/api/v1/issues/" + fresh_uuid() + "/events"), 200,
               "{\"data\":[],\"has_more\":false}");
  EXPECT_REPLY(twin.get("/api/v1/issues/abc/events"), 500, pgerr_uuid("abc"));
}

TEST_P(DashboardRoutes, VolumeAndLevels) {
  std::string base = "/api/v1/projects/" + t.project + "/dashboard/";
  auto r = twin.get(base + "volume?bucket=day");
  EXPECT_REPLY_MATCHES(
      r, 200,
      R"(\[\{"bucket":")" + ts + R"(","count":(3|1|2)\}(,\{"bucket":")" + ts + R"(","count":\d\})?\])");
  EXPECT_REPLY_MATCHES(
      twin.get(base + "volume?bucket=bogus"), 500,
      R"(\{"error":"[0-9A-Z]{5}\t\t\t\tunit "bogus" not recognized for type timestamp with time zone"\})");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + fresh_uuid() + "/dashboard/volume?bucket=bogus"), 200, "[]");
  EXPECT_REPLY(twin.get(base + "levels"), 200, "[{\"level\":\"error\",\"count\":3}]");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.slug + "/dashboard/levels"), 200,
               "[{\"level\":\"error\",\"count\":3}]");
}

TEST_P(DashboardRoutes, TopIssuesSortCountsAsText) {
  ASSERT_TRUE(database()
                  .query("UPDATE issues SET event_count = CASE WHEN id = $1::uuid THEN 9 ELSE 10 END "
                         "WHERE project_id = $2::uuid",
                         {t.issue_a, t.project})
                  .ok());
  std::string base = "/api/v1/projects/" + t.project + "/dashboard/top-issues";
  auto row = [&](const std::string& id, const std::string& title, int n) {
    return R"(\{"id":")" + id + R"(","title":")" + title +
           R"(","level":"error","status":"unresolved","event_count":)" + std::to_string(n) +
           R"(,"last_seen":")" + ts + R"("\})";
  };
  EXPECT_REPLY_MATCHES(twin.get(base + "?limit=5"), 200,
                       R"(\[)" + row(t.issue_a, "synthetic probe issue", 9) + "," +
                           row(t.issue_b, "synthetic probe doomed", 10) + R"(\])");
  EXPECT_REPLY(twin.get(base + "?limit=0"), 200, "[]");
  EXPECT_REPLY(twin.get(base + "?limit=abc"), 500,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type integer: \"abc\"\"}");
  EXPECT_REPLY(twin.get(base + "?limit=-1"), 500, "{\"error\":\"2201W\t\t\t\tLIMIT must not be negative\"}");
}

TEST_P(DashboardRoutes, TagBreakdownTimelineHealth) {
  std::string base = "/api/v1/projects/" + t.project + "/dashboard/";
  EXPECT_REPLY(twin.get(base + "tags?key=probe"), 200, "[{\"value\":\"synthetic\",\"count\":3}]");
  EXPECT_REPLY(twin.get(base + "tags"), 400, "{\"error\":\"missing key parameter\"}");
  auto row = [&](const std::string& id, const std::string& word) {
    return R"(\{"id":")" + id + R"(","level":"error","message":"synthetic probe event )" + word +
           R"(","received_at":")" + ts + R"("\})";
  };
  EXPECT_REPLY_MATCHES(twin.get("/api/v1/issues/" + t.issue_a + "/timeline?limit=5"), 200,
                       R"(\[)" + row(t.e2, "two") + "," + row(t.e1, "one") + R"(\])");
  EXPECT_REPLY(twin.get("/api/v1/issues/" + fresh_uuid() + "/timeline"), 200, "[]");
  EXPECT_REPLY(twin.get("/api/v1/issues/" + t.issue_a + "/timeline?limit=x"), 500,
               "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type integer: \"x\"\"}");
  EXPECT_REPLY(twin.get(base + "health"), 200, "{\"unresolved_count\":2,\"events_24h\":3,\"new_today\":2}");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + t.slug + "/dashboard/health"), 200,
               "{\"unresolved_count\":2,\"events_24h\":3,\"new_today\":2}");
  EXPECT_REPLY(twin.get("/api/v1/projects/" + fresh_uuid() + "/dashboard/health"), 200,
               "{\"unresolved_count\":0,\"events_24h\":0,\"new_today\":0}");
  EXPECT_REPLY(twin.get("/api/v1/projects/nope/dashboard/health"), 500, pgerr_uuid(""));
}

TWIN_BOTH_MODES(SearchRoutes);
TWIN_BOTH_MODES(DashboardRoutes);

}  // namespace
}  // namespace meshwatch::twin_test

// The synthetic tenant (API.md §6.1): seeded idempotently, visible through the twin's HTTP
// routes, reset by the per-cycle part, and cleaned up without touching non-synthetic rows.
#include <gtest/gtest.h>

#include "daemon/db/db_worker.hpp"
#include "daemon/db/fixture_seeder.hpp"
#include "tests/integration/db/db_test_support.hpp"
#include "tests/support/http_client.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using db_test::run_sync;

class fixture_seeder_test : public ::testing::Test {
 protected:
  const std::string& dsn() { return db_test::shared_mesher_db().database.dsn(); }
  std::string count(const std::string& from_where) {
    return db_test::query_value(dsn(), "SELECT count(*)::text FROM " + from_where);
  }
  db_outcome<seed_report> seed() { return run_sync(io_, seeder_.seed(10s)); }

  // Every count the tenant defines, as one string, to compare snapshots.
  std::string snapshot() {
    const fixtures_config& f = fixtures_;
    return count("organizations WHERE id = '" + f.org_id + "'") + "/" +
           count("users WHERE id IN ('" + f.user_a_id + "','" + f.user_b_id + "')") + "/" +
           count("projects WHERE org_id = '" + f.org_id + "'") + "/" +
           count("api_keys WHERE label = 'synthetic' AND project_id IN ('" + f.project_id + "','" +
                 f.sampled_project_id + "')") +
           "/" + count("org_memberships WHERE org_id = '" + f.org_id + "'") + "/" +
           count("alert_rules WHERE project_id = '" + f.project_id + "'") + "/" +
           count("issues WHERE project_id = '" + f.project_id + "'") + "/" +
           count("events WHERE project_id = '" + f.project_id + "'") + "/" +
           count("alerts WHERE project_id = '" + f.project_id + "' AND status = 'active'");
  }

  boost::asio::io_context io_;
  fixtures_config fixtures_;
  db_worker worker_{db_test::config_for(dsn())};
  fixture_seeder seeder_{worker_, fixtures_};
};

TEST_F(fixture_seeder_test, seeding_twice_is_idempotent) {
  db_outcome<seed_report> first = seed();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(seeder_.seeded_once());
  EXPECT_FALSE(first.value().partition_created);  // the twin made today's already
  const std::string after_first = snapshot();
  EXPECT_EQ(after_first, "1/2/2/2/1/1/2/3/1");

  db_outcome<seed_report> second = seed();
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(snapshot(), after_first);

  // A second seeder (a daemon restart) runs the one-time part again: still the same rows.
  fixture_seeder again(worker_, fixtures_);
  db_outcome<seed_report> third = run_sync(io_, again.seed(10s));
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(snapshot(), after_first);
  EXPECT_EQ(count("projects WHERE id = '" + fixtures_.sampled_project_id + "' AND sample_rate = 0"), "1");
}

TEST_F(fixture_seeder_test, the_twin_serves_the_seeded_tenant) {
  ASSERT_TRUE(seed().ok());
  const unsigned short port = db_test::shared_mesher_db().server.http_port();
  auto health =
      test::http_get("127.0.0.1", port, "/api/v1/projects/" + fixtures_.project_id + "/dashboard/health");
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find("\"unresolved_count\":2"), std::string::npos) << health->body;
  EXPECT_NE(health->body.find("\"events_24h\":3"), std::string::npos) << health->body;

  // By slug as well (the React dashboard's way of addressing a project).
  auto issues = test::http_get("127.0.0.1", port, "/api/v1/projects/" + fixtures_.project_slug + "/issues");
  ASSERT_TRUE(issues.has_value());
  EXPECT_EQ(issues->status, 200);
  EXPECT_NE(issues->body.find(fixtures_.issue_a_id), std::string::npos) << issues->body;
}

TEST_F(fixture_seeder_test, the_cycle_resets_what_probes_mutate) {
  ASSERT_TRUE(seed().ok());
  const fixtures_config& f = fixtures_;
  db_test::execute(dsn(), "UPDATE issues SET status = 'resolved', assigned_to = '" + f.user_a_id +
                              "' WHERE id = '" + f.issue_a_id + "'");
  db_test::execute(dsn(), "DELETE FROM issues WHERE id = '" + f.issue_b_id + "'");
  db_test::execute(dsn(), "DELETE FROM events WHERE id = '" + f.event_3_id + "'");
  db_test::execute(
      dsn(), "UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE id = '" + f.alert_id + "'");
  db_test::execute(dsn(), "UPDATE api_keys SET revoked_at = now() WHERE id = '" + f.api_key_id + "'");
  db_test::execute(
      dsn(), "UPDATE projects SET sample_rate = 0.5, retention_days = 7 WHERE id = '" + f.project_id + "'");

  ASSERT_TRUE(seed().ok());
  EXPECT_EQ(snapshot(), "1/2/2/2/1/1/2/3/1");
  EXPECT_EQ(count("issues WHERE project_id = '" + f.project_id +
                  "' AND status = 'unresolved' AND assigned_to IS NULL"),
            "2");
  EXPECT_EQ(count("api_keys WHERE id = '" + f.api_key_id + "' AND revoked_at IS NULL"), "1");
  EXPECT_EQ(count("projects WHERE id = '" + f.project_id + "' AND sample_rate = 1 AND retention_days = 90"),
            "1");
}

TEST_F(fixture_seeder_test, the_cycle_creates_a_missing_partition_for_today) {
  const std::string today =
      "events_" + db_test::query_value(dsn(), "SELECT to_char(current_date, 'YYYYMMDD')");
  db_test::execute(dsn(), "DROP TABLE IF EXISTS " + today);
  db_outcome<seed_report> report = seed();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report.value().partition, today);
  EXPECT_TRUE(report.value().partition_created);
  EXPECT_EQ(count("events WHERE project_id = '" + fixtures_.project_id + "'"), "3");
}

TEST_F(fixture_seeder_test, configured_ids_are_used) {
  fixtures_config other;
  other.org_id = "5e000000-0000-4000-8000-0000000a0001";
  other.user_a_id = "5e000000-0000-4000-8000-0000000a0002";
  other.user_b_id = "5e000000-0000-4000-8000-0000000a0003";
  other.project_id = "5e000000-0000-4000-8000-0000000a0010";
  other.project_slug = "synthetic-probe-two";
  other.sampled_project_id = "5e000000-0000-4000-8000-0000000a0011";
  other.issue_a_id = "5e000000-0000-4000-8000-0000000a0020";
  other.issue_b_id = "5e000000-0000-4000-8000-0000000a0021";
  other.event_1_id = "5e000000-0000-4000-8000-0000000a0030";
  other.event_2_id = "5e000000-0000-4000-8000-0000000a0031";
  other.event_3_id = "5e000000-0000-4000-8000-0000000a0032";
  other.alert_rule_id = "5e000000-0000-4000-8000-0000000a0040";
  other.alert_id = "5e000000-0000-4000-8000-0000000a0050";
  other.membership_id = "5e000000-0000-4000-8000-0000000a0060";
  other.api_key_id = "5e000000-0000-4000-8000-0000000a0070";
  other.sampled_api_key_id = "5e000000-0000-4000-8000-0000000a0071";
  other.api_key = "mshr_syntheticprobe00000000000000000000000000000000a1";
  other.sampled_api_key = "mshr_syntheticprobe00000000000000000000000000000000a2";
  // A database of its own: user e-mails are API.md's fixed ones, unique per database.
  db_test::scratch_database database;
  db_test::twin schema_maker(database.dsn());
  db_worker worker(db_test::config_for(database.dsn()));
  fixture_seeder second(worker, other);
  db_outcome<seed_report> report = run_sync(io_, second.seed(10s));
  ASSERT_TRUE(report.ok()) << report.error().message;
  auto count_there = [&](const std::string& from_where) {
    return db_test::query_value(database.dsn(), "SELECT count(*)::text FROM " + from_where);
  };
  EXPECT_EQ(count_there("events WHERE project_id = '" + other.project_id + "'"), "3");
  EXPECT_EQ(count_there("api_keys WHERE key_value = '" + other.api_key + "'"), "1");
  EXPECT_EQ(count_there("organizations WHERE slug = 'synthetic-probe-two-org'"), "1");
  EXPECT_EQ(count_there("projects WHERE id = '" + fixtures_.project_id + "'"), "0");
}

TEST_F(fixture_seeder_test, a_real_row_holding_a_synthetic_slug_fails_the_seed_loudly) {
  db_test::execute(dsn(),
                   "INSERT INTO organizations (id, name, slug) VALUES "
                   "('7a000000-0000-4000-8000-0000000000aa', 'Real', 'synthetic-probe-org')");
  db_outcome<seed_report> report = seed();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().reason, failure_reason::db_error);
  EXPECT_EQ(report.error().sqlstate, "23505");
  EXPECT_FALSE(seeder_.seeded_once());
  EXPECT_EQ(count("organizations WHERE slug = 'synthetic-probe-org'"), "1");  // the real row, untouched
}

TEST_F(fixture_seeder_test, cleanup_removes_only_synthetic_leftovers) {
  ASSERT_TRUE(seed().ok());
  const fixtures_config& f = fixtures_;
  // Events two days old need that day's partition (the twin creates today onwards).
  const std::string old_day = db_test::query_value(dsn(), "SELECT to_char(current_date - 2, 'YYYYMMDD')");
  db_test::execute(dsn(),
                   "CREATE TABLE IF NOT EXISTS events_" + old_day +
                       " PARTITION OF events FOR VALUES FROM (current_date - 2) TO (current_date - 1)");
  // A real (non-synthetic) org and project with look-alike leftovers that must survive.
  const std::string real_org = "7a000000-0000-4000-8000-000000000001";
  const std::string real_project = "7a000000-0000-4000-8000-000000000010";
  db_test::execute(dsn(), "INSERT INTO organizations (id, name, slug) VALUES ('" + real_org +
                              "', 'Real Org', 'real-org') ON CONFLICT DO NOTHING");
  db_test::execute(dsn(), "INSERT INTO projects (id, org_id, name) VALUES ('" + real_project + "', '" +
                              real_org + "', 'Real') ON CONFLICT DO NOTHING");
  const std::string old = "now() - interval '2 days'";
  db_test::execute(dsn(),
                   "INSERT INTO api_keys (project_id, key_value, label, created_at) VALUES "
                   "('" +
                       f.project_id + "', 'mshr_rot_old', 'probe-rotate', " + old +
                       "), "
                       "('" +
                       f.project_id +
                       "', 'mshr_rot_new', 'probe-rotate', now()), "
                       "('" +
                       real_project + "', 'mshr_rot_real', 'probe-rotate', " + old + ")");
  // A finished rotation (revoked key) is pruned at once, however young.
  db_test::execute(dsn(), "INSERT INTO api_keys (project_id, key_value, label, revoked_at) VALUES ('" +
                              f.project_id + "', 'mshr_rot_done', 'probe-rotate', now())");
  db_test::execute(
      dsn(),
      "INSERT INTO alert_rules (project_id, name, condition_json, action_json, created_at) VALUES "
      "('" +
          f.project_id + "', 'probe-tmp', '{}', '{}', " + old +
          "), "
          "('" +
          real_project + "', 'probe-tmp', '{}', '{}', " + old + ")");
  db_test::execute(dsn(), "INSERT INTO org_memberships (user_id, org_id, role, joined_at) VALUES ('" +
                              f.user_b_id + "', '" + f.org_id + "', 'member', " + old + "), ('" +
                              f.user_b_id + "', '" + real_org + "', 'member', " + old + ")");
  db_test::execute(dsn(),
                   "INSERT INTO issues (id, project_id, fingerprint, title, level, last_seen) VALUES "
                   "('5e000000-0000-4000-8000-0000000000f1', '" +
                       f.project_id + "', 'synthetic:ingest', 'ingest', 'info', " + old +
                       "), "
                       "('7a000000-0000-4000-8000-0000000000f1', '" +
                       real_project + "', 'real', 'real', 'info', " + old + ")");
  db_test::execute(
      dsn(),
      "INSERT INTO events (project_id, issue_id, level, message, fingerprint, received_at) VALUES "
      "('" +
          f.project_id +
          "', '5e000000-0000-4000-8000-0000000000f1', 'info', 'old ingest', "
          "'synthetic:ingest', " +
          old +
          "), "
          "('" +
          real_project + "', '7a000000-0000-4000-8000-0000000000f1', 'info', 'real', 'real', " + old + ")");

  db_outcome<cleanup_report> report = run_sync(io_, seeder_.cleanup(cleanup_options{}, 10s));
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report.value().api_keys, 2u);  // the old one and the revoked one
  EXPECT_EQ(report.value().alert_rules, 1u);
  EXPECT_EQ(report.value().memberships, 1u);
  EXPECT_EQ(report.value().events, 1u);
  EXPECT_EQ(report.value().issues, 1u);

  EXPECT_EQ(count("api_keys WHERE key_value IN ('mshr_rot_new', 'mshr_rot_real')"), "2");
  EXPECT_EQ(count("alert_rules WHERE project_id = '" + real_project + "'"), "1");
  EXPECT_EQ(count("org_memberships WHERE org_id = '" + real_org + "'"), "1");
  EXPECT_EQ(count("events WHERE project_id = '" + real_project + "'"), "1");
  EXPECT_EQ(count("issues WHERE project_id = '" + real_project + "'"), "1");
  // The tenant itself is intact.
  EXPECT_EQ(snapshot(), "1/2/2/2/1/1/2/3/1");

  // Nothing left to clean: a second run deletes nothing.
  db_outcome<cleanup_report> again = run_sync(io_, seeder_.cleanup(cleanup_options{}, 10s));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().api_keys + again.value().alert_rules + again.value().memberships +
                again.value().events + again.value().issues + again.value().alerts,
            0u);
}

}  // namespace
}  // namespace meshwatch

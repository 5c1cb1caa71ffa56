#include "daemon/db/fixture_seeder.hpp"

#include <algorithm>
#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/subtransaction>
#include <pqxx/transaction>

#include "daemon/db/partition_horizon.hpp"

namespace meshwatch {
namespace {

// Display values of the synthetic rows (API.md §6.1). Letters, digits, spaces and `-:` only,
// so Mesher's unescaped JSON stays valid.
constexpr const char* org_name = "Synthetic Probe Org";
constexpr const char* project_name = "Synthetic Probe";
constexpr const char* sampled_project_name = "Synthetic Probe Sampled";
constexpr const char* platform = "probe";
constexpr const char* key_label = "synthetic";
constexpr const char* rule_name = "synthetic-noop";
// Outside `threshold`/`new_issue`, so Mesher's evaluator never fires this rule.
constexpr const char* rule_condition = R"({"condition_type":"synthetic-noop"})";
constexpr const char* rule_action = R"({"type":"websocket"})";
constexpr const char* event_tags = R"({"probe":"synthetic"})";
constexpr const char* level_error = "error";
constexpr const char* status_unresolved = "unresolved";
constexpr const char* status_active = "active";
constexpr const char* member_role = "member";
// Never a valid bcrypt hash: nobody can authenticate as a probe user.
constexpr const char* no_password = "x";
constexpr int retention_days = 90;

// API.md §6.1's addresses, which the default catalogue checks (team_members_list). They are
// unique in `users`, so a second synthetic tenant in the same database fails loudly here.
constexpr const char* user_a_email = "probe-a@synthetic.invalid";
constexpr const char* user_b_email = "probe-b@synthetic.invalid";

}  // namespace

void seed_tenant_once(pqxx::connection& connection, const fixtures_config& f) {
  pqxx::work tx{connection, "meshwatch_seed_once"};
  // ON CONFLICT (id) only: a slug, e-mail or key already used by a *different* row is a
  // unique violation that fails the seed loudly instead of silently adopting real data.
  tx.exec_params(
      "INSERT INTO organizations (id, name, slug) VALUES ($1::uuid, $2, $3) ON CONFLICT (id) DO NOTHING",
      f.org_id, org_name, f.project_slug + "-org");
  tx.exec_params(
      "INSERT INTO users (id, email, password_hash, display_name) VALUES "
      "($1::uuid, $2, $3, $4), ($5::uuid, $6, $3, $7) ON CONFLICT (id) DO NOTHING",
      f.user_a_id, user_a_email, no_password, "Probe A", f.user_b_id, user_b_email, "Probe B");
  tx.exec_params(
      "INSERT INTO projects (id, org_id, name, platform, slug, retention_days, sample_rate) VALUES "
      "($1::uuid, $2::uuid, $3, $4, $5, $6::int, $7::real), "
      "($8::uuid, $2::uuid, $9, $4, $10, $6::int, $11::real) ON CONFLICT (id) DO NOTHING",
      f.project_id, f.org_id, project_name, platform, f.project_slug, retention_days, 1.0,
      f.sampled_project_id, sampled_project_name, f.project_slug + "-sampled", 0.0);
  tx.exec_params(
      "INSERT INTO api_keys (id, project_id, key_value, label) VALUES "
      "($1::uuid, $2::uuid, $3, $4), ($5::uuid, $6::uuid, $7, $4) ON CONFLICT (id) DO NOTHING",
      f.api_key_id, f.project_id, f.api_key, key_label, f.sampled_api_key_id, f.sampled_project_id,
      f.sampled_api_key);
  // No conflict target: user A may already belong to the org under another membership id.
  tx.exec_params(
      "INSERT INTO org_memberships (id, user_id, org_id, role) VALUES ($1::uuid, $2::uuid, $3::uuid, $4) "
      "ON CONFLICT DO NOTHING",
      f.membership_id, f.user_a_id, f.org_id, member_role);
  tx.exec_params(
      "INSERT INTO alert_rules (id, project_id, name, condition_json, action_json, enabled, "
      "cooldown_minutes) "
      "VALUES ($1::uuid, $2::uuid, $3, $4::jsonb, $5::jsonb, true, $6::int) ON CONFLICT (id) DO NOTHING",
      f.alert_rule_id, f.project_id, rule_name, rule_condition, rule_action, 60);
  tx.commit();
}

seed_report seed_tenant_cycle(pqxx::connection& connection, const fixtures_config& f) {
  pqxx::work tx{connection, "meshwatch_seed_cycle"};
  seed_report report;

  // Today's partition by the DB's clock. Mesher creates a week ahead only at start-up
  // (F-12); without today's the synthetic events below could not be stored at all.
  const pqxx::row today_row = tx.exec1(
      "SELECT to_char(current_date, 'YYYYMMDD'), EXISTS (SELECT 1 FROM pg_inherits i "
      "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass('events') "
      "AND c.relname = 'events_' || to_char(current_date, 'YYYYMMDD'))");
  const std::optional<std::chrono::sys_days> today = parse_yyyymmdd(today_row[0].as<std::string>());
  if (today) {
    report.partition = events_partition_name(*today);
    if (!today_row[1].as<bool>()) {
      // DDL takes no parameters; the name and bounds are built from a validated date only.
      const std::string ddl = "CREATE TABLE IF NOT EXISTS " + report.partition +
                              " PARTITION OF events FOR VALUES FROM ('" + iso_date(*today) + "') TO ('" +
                              iso_date(*today + std::chrono::days{1}) + "')";
      try {
        pqxx::subtransaction sub{tx, "meshwatch_partition"};
        sub.exec0(ddl);
        sub.commit();
        report.partition_created = true;
      } catch (const pqxx::sql_error& error) {
        // e.g. an overlapping partition under another name: the inserts below tell whether
        // events can still be stored.
        report.partition_problem = error.sqlstate();
      }
    }
  }

  // Mutating probes may have changed these synthetic rows; put them back.
  tx.exec_params(
      "UPDATE projects SET retention_days = $3::int, "
      "sample_rate = CASE WHEN id = $1::uuid THEN $4::real ELSE $5::real END "
      "WHERE id IN ($1::uuid, $2::uuid)",
      f.project_id, f.sampled_project_id, retention_days, 1.0, 0.0);
  tx.exec_params(
      "UPDATE api_keys SET revoked_at = NULL WHERE id IN ($1::uuid, $2::uuid) AND revoked_at IS NOT NULL",
      f.api_key_id, f.sampled_api_key_id);
  tx.exec_params("UPDATE alert_rules SET enabled = true WHERE id = $1::uuid AND NOT enabled",
                 f.alert_rule_id);
  tx.exec_params("UPDATE org_memberships SET role = $2 WHERE id = $1::uuid AND role <> $2", f.membership_id,
                 member_role);

  // Event times inside today (the partition that surely exists), oldest first, all within
  // the last 2 minutes so "last 24 h" and "newest first" reads have fixed answers.
  const pqxx::row times = tx.exec1(
      "SELECT t0::text, (t0 + (now() - t0) / 2)::text, now()::text FROM "
      "(SELECT greatest(now() - interval '2 minutes', current_date::timestamptz) AS t0) t");
  const std::string t1 = times[0].as<std::string>();
  const std::string t2 = times[1].as<std::string>();
  const std::string t3 = times[2].as<std::string>();

  const char* upsert_issue =
      "INSERT INTO issues (id, project_id, fingerprint, title, level, status, event_count, first_seen, "
      "last_seen, "
      "assigned_to) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::int, $8::timestamptz, $9::timestamptz, "
      "NULL) "
      "ON CONFLICT (id) DO UPDATE SET project_id = EXCLUDED.project_id, fingerprint = EXCLUDED.fingerprint, "
      "title = EXCLUDED.title, level = EXCLUDED.level, status = EXCLUDED.status, "
      "event_count = EXCLUDED.event_count, first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, "
      "assigned_to = NULL";
  tx.exec_params(upsert_issue, f.issue_a_id, f.project_id, "synthetic:probe-a", "synthetic probe issue",
                 level_error, status_unresolved, 2, t1, t2);
  tx.exec_params(upsert_issue, f.issue_b_id, f.project_id, "synthetic:probe-b", "synthetic probe doomed",
                 level_error, status_unresolved, 1, t3, t3);

  // As API.md §6.1: the project's events are exactly the three synthetic ones after a cycle.
  tx.exec_params("DELETE FROM events WHERE project_id = $1::uuid", f.project_id);
  const char* insert_event =
      "INSERT INTO events (id, project_id, issue_id, level, message, fingerprint, tags, received_at) "
      "VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb, $8::timestamptz)";
  tx.exec_params(insert_event, f.event_1_id, f.project_id, f.issue_a_id, level_error,
                 "synthetic probe event one", "synthetic:probe-a", event_tags, t1);
  tx.exec_params(insert_event, f.event_2_id, f.project_id, f.issue_a_id, level_error,
                 "synthetic probe event two", "synthetic:probe-a", event_tags, t2);
  tx.exec_params(insert_event, f.event_3_id, f.project_id, f.issue_b_id, level_error,
                 "synthetic probe event three", "synthetic:probe-b", event_tags, t3);

  tx.exec_params(
      "INSERT INTO alerts (id, rule_id, project_id, status, message, condition_snapshot, triggered_at, "
      "acknowledged_at, resolved_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::jsonb, now(), NULL, "
      "NULL) "
      "ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, triggered_at = EXCLUDED.triggered_at, "
      "acknowledged_at = NULL, resolved_at = NULL",
      f.alert_id, f.alert_rule_id, f.project_id, status_active, "synthetic probe alert", rule_condition);
  tx.commit();
  return report;
}

cleanup_report clean_tenant(pqxx::connection& connection, const fixtures_config& f,
                            const cleanup_options& options) {
  pqxx::work tx{connection, "meshwatch_cleanup"};
  const long long stale = options.stale_after.count();
  const long long retention = options.retention.count();
  cleanup_report report;
  // Every statement is confined to the synthetic org/projects/users by id.
  report.api_keys =
      tx.exec_params(
            "DELETE FROM api_keys WHERE label = $1 AND project_id IN ($2::uuid, $3::uuid) "
            "AND (revoked_at IS NOT NULL OR created_at < now() - $4::bigint * interval '1 second')",
            std::string(probe_rotate_key_label), f.project_id, f.sampled_project_id, stale)
          .affected_rows();
  report.alert_rules = tx.exec_params(
                             "DELETE FROM alert_rules WHERE name = $1 AND project_id IN ($2::uuid, $3::uuid) "
                             "AND created_at < now() - $4::bigint * interval '1 second'",
                             std::string(probe_tmp_rule_name), f.project_id, f.sampled_project_id, stale)
                           .affected_rows();
  report.memberships = tx.exec_params(
                             "DELETE FROM org_memberships WHERE user_id = $1::uuid AND org_id = $2::uuid "
                             "AND joined_at < now() - $3::bigint * interval '1 second'",
                             f.user_b_id, f.org_id, stale)
                           .affected_rows();
  report.events =
      tx.exec_params(
            "DELETE FROM events WHERE project_id IN ($1::uuid, $2::uuid) "
            "AND id NOT IN ($3::uuid, $4::uuid, $5::uuid) "
            "AND received_at < now() - $6::bigint * interval '1 second'",
            f.project_id, f.sampled_project_id, f.event_1_id, f.event_2_id, f.event_3_id, retention)
          .affected_rows();
  report.issues = tx.exec_params(
                        "DELETE FROM issues WHERE project_id IN ($1::uuid, $2::uuid) "
                        "AND id NOT IN ($3::uuid, $4::uuid) "
                        "AND last_seen < now() - $5::bigint * interval '1 second'",
                        f.project_id, f.sampled_project_id, f.issue_a_id, f.issue_b_id, retention)
                      .affected_rows();
  report.alerts = tx.exec_params(
                        "DELETE FROM alerts WHERE project_id IN ($1::uuid, $2::uuid) AND id <> $3::uuid "
                        "AND triggered_at < now() - $4::bigint * interval '1 second'",
                        f.project_id, f.sampled_project_id, f.alert_id, retention)
                      .affected_rows();
  // What the deletes above spared: the time until the oldest of it is stale too.
  const pqxx::row spared = tx.exec_params1(
      "SELECT ceil(extract(epoch FROM min(t) + $5::bigint * interval '1 second' - now()))::bigint FROM ("
      "SELECT created_at AS t FROM api_keys WHERE label = $1 AND project_id IN ($2::uuid, $3::uuid) "
      "UNION ALL SELECT created_at FROM alert_rules WHERE name = $4 AND project_id IN ($2::uuid, $3::uuid) "
      "UNION ALL SELECT joined_at FROM org_memberships WHERE user_id = $6::uuid AND org_id = $7::uuid) "
      "spared",
      std::string(probe_rotate_key_label), f.project_id, f.sampled_project_id,
      std::string(probe_tmp_rule_name), stale, f.user_b_id, f.org_id);
  if (!spared[0].is_null()) {
    report.spared_stale_in = std::chrono::seconds{std::max<long long>(0, spared[0].as<long long>())};
  }
  tx.commit();
  return report;
}

fixture_seeder::fixture_seeder(db_worker& worker, fixtures_config fixtures)
    : worker_(worker), fixtures_(std::move(fixtures)) {}

boost::asio::awaitable<db_outcome<seed_report>> fixture_seeder::seed(std::chrono::milliseconds timeout) {
  // One bound for both parts: a caller's timeout is for the whole seeding.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!seeded_once_) {
    std::function<bool(pqxx::connection&)> once = [fixtures = fixtures_](pqxx::connection& c) {
      seed_tenant_once(c, fixtures);
      return true;
    };
    db_outcome<bool> done = co_await worker_.run<bool>(std::move(once), timeout);
    if (!done) {
      co_return db_outcome<seed_report>::failure(done.error());
    }
    seeded_once_ = true;
  }
  std::function<seed_report(pqxx::connection&)> cycle = [fixtures = fixtures_](pqxx::connection& c) {
    return seed_tenant_cycle(c, fixtures);
  };
  const auto left = std::max(
      std::chrono::milliseconds{1},
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  db_outcome<seed_report> report = co_await worker_.run<seed_report>(std::move(cycle), left);
  // A foreign key violation means a one-time row is gone (someone deleted the synthetic
  // project or rule): re-create them next time.
  if (!report && report.error().sqlstate == "23503") {
    seeded_once_ = false;
  }
  co_return report;
}

boost::asio::awaitable<db_outcome<cleanup_report>> fixture_seeder::cleanup(
    cleanup_options options, std::chrono::milliseconds timeout) {
  std::function<cleanup_report(pqxx::connection&)> job =
      [fixtures = fixtures_, options](pqxx::connection& c) { return clean_tenant(c, fixtures, options); };
  co_return co_await worker_.run<cleanup_report>(std::move(job), timeout);
}

}  // namespace meshwatch

#pragma once
// The synthetic tenant of mesher/API.md §6.1, seeded straight into PostgreSQL (Mesher has no
// route that creates orgs, users or projects), and the cleanup of what interrupted probes
// leave behind. Ids, slugs and keys come from the target's fixtures_config; every statement
// addresses rows by those ids only, and every value is a bound parameter.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/fixtures.hpp"
#include "daemon/db/db_outcome.hpp"
#include "daemon/db/db_worker.hpp"

namespace meshwatch {

struct seed_report {
  std::string partition;           // today's events partition (DB clock)
  bool partition_created = false;  // the seeder had to create it (Mesher did not)
  std::string partition_problem;   // set when it was missing and could not be created
};

struct cleanup_options {
  /** Synthetic ingest events, issues and alerts older than this are deleted. */
  std::chrono::seconds retention{std::chrono::hours{24}};
  /**
   * Leftovers of create-then-delete probes (api keys labelled `probe-rotate`, alert rules
   * named `probe-tmp`, user B's membership) count as interrupted only after this long, so a
   * probe run in progress never loses its own rows. Revoked `probe-rotate` keys are finished
   * with and go at once.
   */
  std::chrono::seconds stale_after{std::chrono::minutes{15}};
};

struct cleanup_report {
  std::uint64_t api_keys = 0;
  std::uint64_t alert_rules = 0;
  std::uint64_t memberships = 0;
  std::uint64_t events = 0;
  std::uint64_t issues = 0;
  std::uint64_t alerts = 0;
  /**
   * Create-then-delete leftovers spared as too young (perhaps a run in progress): how long
   * until the oldest of them counts as interrupted. Unset when none is left.
   */
  std::optional<std::chrono::seconds> spared_stale_in;
};

/** Label and name that create-then-delete probes must use for what they create. */
inline constexpr std::string_view probe_rotate_key_label = "probe-rotate";
inline constexpr std::string_view probe_tmp_rule_name = "probe-tmp";

// The transactions themselves, for use on the DB thread (one transaction each).
/** Org, users A and B, projects (the sampled one with sample_rate 0), keys, A's membership, rule. */
void seed_tenant_once(pqxx::connection& connection, const fixtures_config& fixtures);
/** Today's partition if missing, project settings, keys, rule and membership reset, issues
 * reset, the three events re-inserted, the alert reset to active. */
seed_report seed_tenant_cycle(pqxx::connection& connection, const fixtures_config& fixtures);
cleanup_report clean_tenant(pqxx::connection& connection, const fixtures_config& fixtures,
                            const cleanup_options& options);

/** The same, from the loop. Keeps track of whether the one-time part has succeeded. */
class fixture_seeder {
 public:
  fixture_seeder(db_worker& worker, fixtures_config fixtures);

  /** The one-time part until it has succeeded once, then the per-cycle part; `timeout` bounds both. */
  boost::asio::awaitable<db_outcome<seed_report>> seed(std::chrono::milliseconds timeout);
  boost::asio::awaitable<db_outcome<cleanup_report>> cleanup(cleanup_options options,
                                                             std::chrono::milliseconds timeout);

  bool seeded_once() const noexcept { return seeded_once_; }
  const fixtures_config& fixtures() const noexcept { return fixtures_; }

 private:
  db_worker& worker_;
  fixtures_config fixtures_;
  bool seeded_once_ = false;
};

}  // namespace meshwatch

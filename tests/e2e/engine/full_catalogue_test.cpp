// Issue 4: against the twin in `fixed` mode, `meshwatch run` with the full default catalogue
// shows every probe healthy on /metrics within two intervals, and its scrape passes promtool.
//
// The bound: the engine starts every probe at a random first delay in [0, interval) after it
// began probing (probe_schedule::first_run; the engine starts only once the first fixture
// seeding is done), and a probe is healthy after its first pass (health_machine: unknown →
// healthy on one pass). A pass ends within the probe's timeout, and timeout ≤ interval, so
// each probe must be healthy within interval + timeout ≤ 2 × interval of the "probing" line.
// `risky` spacing and the valid-key `budget` only restrict later starts, never the first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/e2e/engine/engine_harness.hpp"
#include "tests/e2e/watch/watch_test_harness.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Scrape polling (200 ms), reading the log line and a loaded machine's timer latency.
constexpr std::chrono::milliseconds measurement_slack{1500};

std::set<std::string> probe_labels(const std::string& exposition, const std::string& family) {
  std::set<std::string> names;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(family + "{")) continue;
    auto at = line.find("probe=\"");
    if (at == std::string::npos) continue;
    at += 7;
    names.insert(line.substr(at, line.find('"', at) - at));
  }
  return names;
}

class full_catalogue : public ::testing::Test {
 protected:
  void TearDown() override { run_.reset(); }

  // A database of its own on the shared cluster: the catalogue seeds and deletes synthetic rows.
  scratch_database db_;
  std::string dsn_ = db_.dsn();
  std::unique_ptr<catalogue_run> run_;
};

TEST_F(full_catalogue, run_shows_every_probe_healthy_within_two_intervals) {
  catalogue_options options;  // interval 3 s (or the probe's own timeout when longer), timeout 2 s
  run_ = std::make_unique<catalogue_run>(dsn_, options);
  std::string why;
  ASSERT_TRUE(run_->start(why)) << why;
  const auto probes = run_->config().enabled();
  const auto since = run_->probing_since();

  // The probe names come from the config; every one must have its series from the start.
  std::set<std::string> names;
  for (const auto& p : probes) names.insert(p.name);
  ASSERT_EQ(names.size(), probes.size()) << "duplicate probe names";
  EXPECT_GE(probes.size(), 40u) << "36 routes, 2 WS paths, the fast path, pg checks, the pipeline";
  const auto first_scrape = run_->scrape();
  ASSERT_EQ(probe_labels(first_scrape, "meshwatch_probe_healthy"), names) << first_scrape.substr(0, 3000);

  std::chrono::milliseconds longest{0};
  for (const auto& p : probes) longest = std::max(longest, 2 * p.interval);

  std::map<std::string, clock_type::duration> healthy_after;
  std::string last;
  const auto deadline = since + longest + measurement_slack;
  while (healthy_after.size() < probes.size()) {
    last = run_->scrape();
    const auto now = clock_type::now();
    for (const auto& p : probes) {
      if (healthy_after.contains(p.name)) continue;
      auto v = metric_value(last, "meshwatch_probe_healthy", {{"probe", p.name}});
      if (v && *v == 1) healthy_after[p.name] = now - since;
    }
    if (now >= deadline) break;
    std::this_thread::sleep_for(200ms);
  }

  const auto status = run_->status();
  for (const auto& p : probes) {
    auto found = healthy_after.find(p.name);
    if (found == healthy_after.end()) {
      ADD_FAILURE()
          << p.name << " (interval " << p.interval.count() << " ms) not healthy within "
          << std::chrono::duration_cast<std::chrono::milliseconds>(longest + measurement_slack).count()
          << " ms; runs " << metric_sum(last, "meshwatch_probe_runs_total", {{"probe", p.name}})
          << ", failures " << metric_sum(last, "meshwatch_probe_failures_total", {{"probe", p.name}});
      continue;
    }
    EXPECT_LE(found->second, 2 * p.interval + measurement_slack)
        << p.name << ": healthy after "
        << std::chrono::duration_cast<std::chrono::milliseconds>(found->second).count() << " ms, interval "
        << p.interval.count() << " ms";
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "status: " << status.substr(0, 20000) << "\n" << run_->console() << "\n";
  }

  // All together, none unhealthy, none suspended, in one scrape; and that scrape is valid.
  const auto scrape = run_->scrape();
  ASSERT_FALSE(scrape.empty());
  for (const auto& p : probes) {
    EXPECT_EQ(metric_value(scrape, "meshwatch_probe_healthy", {{"probe", p.name}}), 1.0) << p.name;
    EXPECT_EQ(metric_value(scrape, "meshwatch_probe_suspended", {{"probe", p.name}}), 0.0) << p.name;
  }
  EXPECT_EQ(run_->status().find("\"unhealthy\""), std::string::npos) << run_->status();
  EXPECT_EQ(metric_value(scrape, "meshwatch_db_up"), 1.0);
  // Seeded, so PostgreSQL's `ssl` setting was read on the DB thread (D13, F-32) and is shown.
  EXPECT_TRUE(std::regex_search(run_->status(), std::regex(R"re("database":\{"ssl":"(on|off)"\})re")))
      << run_->status().substr(0, 20000);
  std::string promtool_output;
  EXPECT_TRUE(promtool_accepts(scrape, promtool_output)) << promtool_output;

  clock_type::duration slowest{0};
  std::string slowest_name;
  for (const auto& [name, after] : healthy_after) {
    if (after > slowest) {
      slowest = after;
      slowest_name = name;
    }
  }
  std::cout << "[measured] " << probes.size() << " probes; first seeding " << run_->seeding_took().count()
            << " ms; all healthy " << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()
            << " ms after probing began (last: " << slowest_name << ")\n";
}

}  // namespace
}  // namespace meshwatch::test

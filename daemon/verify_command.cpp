#include "daemon/verify_command.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>

#include "daemon/db_probes.hpp"
#include "daemon/probe_plan.hpp"
#include "daemon/probe_runner.hpp"

namespace meshwatch {
namespace asio = boost::asio;

namespace {

// Sequential on purpose: mutating probes share synthetic rows (issue A, the alert), and a
// report in catalogue order is easier to read; the catalogue's latencies are milliseconds.
constexpr std::chrono::seconds seed_timeout{15};

asio::awaitable<std::vector<probe_result>> run_all(std::vector<planned_probe> plan, target_databases* dbs,
                                                   const probe_runners* runners) {
  // Fixtures first (DESIGN.md §5): the synthetic tenant the read probes expect, reset for the
  // destructive ones. A failed seed is logged; the probes then report what they see.
  co_await dbs->seed_all(seed_timeout);
  // Pipelines that wait for pushes match them on each target's long-lived stream subscriber.
  if (std::any_of(plan.begin(), plan.end(), [](const planned_probe& p) { return needs_stream(p.probe); })) {
    auto executor = co_await asio::this_coro::executor;
    dbs->start_streams(executor);
  }
  std::vector<probe_result> results;
  results.reserve(plan.size());
  for (auto& p : plan) {
    results.push_back(co_await run_probe_once(p.probe, p.target, p.vars, runners));
  }
  dbs->stop_streams();  // the loop runs until nothing is left to do
  co_return results;
}

}  // namespace

int run_verify(const config& cfg, const verify_options& options) {
  std::vector<planned_probe> plan;
  try {
    plan = filter_probes(plan_probes(cfg), options.only);
  } catch (const std::exception& e) {
    std::cerr << "meshwatch verify: " << e.what() << '\n';
    return 2;
  }
  if (plan.empty()) {
    std::cerr << "meshwatch verify: no probe matches\n";
    return 2;
  }
  asio::io_context io(1);
  target_databases dbs(cfg, nullptr);
  auto runners = dbs.runners();
  auto future = asio::co_spawn(io, run_all(std::move(plan), &dbs, &runners), asio::use_future);
  io.run();
  dbs.stop();
  auto results = future.get();
  std::cout << render_verify_report(results, options.format) << std::flush;
  return all_passed(results) ? 0 : 1;
}

}  // namespace meshwatch

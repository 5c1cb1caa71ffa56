#pragma once
// When a probe runs next: pure policy over injected clock values and an injected RNG, so the
// scheduler coroutine stays a thin loop and every rule here is unit-tested with a fake clock.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>

#include "config/config.hpp"

namespace meshwatch {

using schedule_clock = std::chrono::steady_clock;
using schedule_time = schedule_clock::time_point;

/** Uniform in [0, 1); values outside are clamped. Tests pass a fixed sequence. */
using random_source = std::function<double()>;

/**
 * At most `max_runs` starts in any sliding `window`. Mesher's rate limiter never resets during
 * its lifetime (F-13, API.md §5.4), so requests with a valid key are spent from a budget;
 * reset_budget() is for a Mesher restart, which does reset Mesher's own counter.
 */
struct probe_budget {
  int max_runs = 12;
  std::chrono::milliseconds window = std::chrono::hours{1};

  bool operator==(const probe_budget&) const = default;
};

struct schedule_policy {
  std::chrono::milliseconds interval{std::chrono::seconds{15}};
  std::chrono::milliseconds timeout{std::chrono::seconds{5}};
  int jitter_percent = 10;  // 0–50; each gap is interval × (1 ± jitter)
  /** Gap while unhealthy: faster detection of recovery. Equal to interval to disable. */
  std::chrono::milliseconds unhealthy_interval{std::chrono::seconds{5}};
  /** Minimum time between two starts, whatever the health (risky probes). */
  std::chrono::milliseconds min_spacing{0};
  std::optional<probe_budget> budget;

  bool operator==(const schedule_policy&) const = default;
};

/** Starts of a `risky` probe (one known to crash Mesher, FAILURES.md F-01) are this far apart at least. */
inline constexpr std::chrono::milliseconds risky_min_spacing = std::chrono::minutes{5};
/** The budget a `budget`-tagged probe gets: 12 an hour is about 290 a day, well under Mesher's 1000. */
inline constexpr probe_budget default_budget{12, std::chrono::hours{1}};
/** The shortest gap while unhealthy, whatever the interval: a failing Mesher is not hammered. */
inline constexpr std::chrono::milliseconds min_unhealthy_interval = std::chrono::seconds{1};
/**
 * First runs are spread over at most this much: long-interval probes (risky ones run every
 * 5–15 minutes) would otherwise leave the catalogue half unknown for minutes after each start
 * or restart of meshwatch, which is exactly when an operator looks at it.
 */
inline constexpr std::chrono::milliseconds first_run_spread = std::chrono::seconds{30};
/** Budgets are bounded so the start history is too. */
inline constexpr int max_budget_runs = 10'000;

/**
 * The policy for one probe: interval and timeout from the (already defaulted) probe, jitter
 * from `defaults`; while unhealthy the gap is max(interval / 3, timeout, 1 s), capped at the
 * interval — at least one timeout so a hanging Mesher sees at most half the load. Tag `risky`:
 * starts at least risky_min_spacing apart and no faster schedule while unhealthy. Tag
 * `budget`: default_budget, and no faster schedule while unhealthy (it would only burn it).
 */
schedule_policy make_schedule_policy(const probe_config& probe, const probe_defaults& defaults);

/**
 * One probe's schedule. Usage by the scheduler:
 * ```
 * t = s.first_run(now);                  // sleep until t
 * loop: d = s.try_start(now);            // if !d.run: report "skipped", sleep until d.next
 *       …run the probe…
 *       t = s.next_run(completed, unhealthy);  // sleep until t
 * ```
 * The next gap is measured from completion, so runs of one probe never overlap.
 */
class probe_schedule {
 public:
  probe_schedule(schedule_policy policy, random_source random);

  /** A random first delay in [0, min(interval, first_run_spread)), so probes started together spread out. */
  schedule_time first_run(schedule_time now);

  struct start_decision {
    bool run = true;
    schedule_time next{};  // when skipped: the earliest sensible retry
  };
  /** Records a start if the budget allows it; otherwise a skip and when to try again. */
  start_decision try_start(schedule_time now);

  /** completed + gap ± jitter, never sooner than min_spacing after the last start. */
  schedule_time next_run(schedule_time completed, bool unhealthy);

  /** Forget spent budget (Mesher restarted, so its rate limiter did too). */
  void reset_budget() { starts_.clear(); }

  /** Starts left in the current budget window; nullopt when the probe has no budget. */
  std::optional<int> budget_left(schedule_time now);

  const schedule_policy& policy() const noexcept { return policy_; }

 private:
  double uniform();
  std::chrono::milliseconds jittered(std::chrono::milliseconds gap);
  void expire(schedule_time now);

  schedule_policy policy_;
  random_source random_;
  std::optional<schedule_time> last_start_;
  std::deque<schedule_time> starts_;  // within the budget window; at most max_runs entries
};

}  // namespace meshwatch

#pragma once
// Per-probe health with hysteresis (Envoy's active health checking policy), so one slow or
// failed run neither pages anyone nor logs a transition.

#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "probes/failure_reason.hpp"

namespace meshwatch {

enum class health_state { unknown, healthy, degraded, unhealthy, suspended };

std::string_view to_string(health_state s);

/** How one run ended, as the state machine sees it. */
enum class probe_outcome {
  passed,
  passed_slow,  // passed, but over the latency budget (`degraded_after`)
  failed,
  inconclusive,  // the monitor itself stalled (loop lag): says nothing about Mesher
};

struct health_policy {
  int healthy_threshold = 2;  // consecutive passes: unhealthy → healthy; fast passes: degraded → healthy
  int unhealthy_threshold = 3;  // consecutive failures → unhealthy; slow passes: healthy → degraded

  static health_policy from(const probe_defaults& d) { return {d.healthy_threshold, d.unhealthy_threshold}; }
};

/** A change of state, returned once when it happens, so it is logged once. */
struct health_transition {
  health_state from = health_state::unknown;
  health_state to = health_state::unknown;
  std::optional<failure_reason> reason;  // the failure that tipped it, for → unhealthy

  bool operator==(const health_transition&) const = default;
};

/**
 * The state machine of one probe.
 *
 * - unknown → healthy on the first pass (as Envoy: one success suffices at start-up), and
 *   → unhealthy after unhealthy_threshold consecutive failures (a single failed first run
 *   stays unknown).
 * - healthy/degraded → unhealthy after unhealthy_threshold consecutive failures;
 *   unhealthy → healthy after healthy_threshold consecutive passes (degraded instead when those
 *   include unhealthy_threshold slow passes in a row).
 * - healthy → degraded after unhealthy_threshold consecutive slow passes; degraded → healthy
 *   after healthy_threshold consecutive fast passes. Slow passes count as passes everywhere else.
 * - inconclusive results neither count nor reset any streak.
 * - suspended is set and cleared from outside (crash attribution); results are ignored while
 *   suspended, and resuming starts afresh from unknown.
 */
class health_machine {
 public:
  explicit health_machine(health_policy policy = {});

  std::optional<health_transition> apply(probe_outcome outcome, std::optional<failure_reason> reason = {});
  std::optional<health_transition> suspend();
  std::optional<health_transition> resume();

  health_state state() const noexcept { return state_; }
  /** The `probe_healthy` gauge: passing after thresholds (healthy or degraded). */
  bool healthy() const noexcept {
    return state_ == health_state::healthy || state_ == health_state::degraded;
  }
  int consecutive_passes() const noexcept { return passes_; }
  int consecutive_failures() const noexcept { return failures_; }

 private:
  std::optional<health_transition> move_to(health_state next, std::optional<failure_reason> reason = {});

  health_policy policy_;
  health_state state_ = health_state::unknown;
  int passes_ = 0;
  int failures_ = 0;
  int slow_passes_ = 0;
  int fast_passes_ = 0;
};

}  // namespace meshwatch

#include "daemon/health_state.hpp"

#include <algorithm>

namespace meshwatch {

std::string_view to_string(health_state s) {
  switch (s) {
    case health_state::unknown: return "unknown";
    case health_state::healthy: return "healthy";
    case health_state::degraded: return "degraded";
    case health_state::unhealthy: return "unhealthy";
    case health_state::suspended: return "suspended";
  }
  return "unknown";
}

health_machine::health_machine(health_policy policy) : policy_(policy) {
  // A threshold below 1 would make a state unreachable or flap on every run.
  policy_.healthy_threshold = std::max(1, policy_.healthy_threshold);
  policy_.unhealthy_threshold = std::max(1, policy_.unhealthy_threshold);
}

std::optional<health_transition> health_machine::move_to(health_state next,
                                                         std::optional<failure_reason> reason) {
  if (next == state_) {
    return std::nullopt;
  }
  health_transition t{state_, next, reason};
  state_ = next;
  return t;
}

std::optional<health_transition> health_machine::apply(probe_outcome outcome,
                                                       std::optional<failure_reason> reason) {
  if (state_ == health_state::suspended || outcome == probe_outcome::inconclusive) {
    return std::nullopt;
  }
  if (outcome == probe_outcome::failed) {
    // Streaks are capped at their threshold so a month of failures cannot overflow them.
    failures_ = std::min(failures_ + 1, policy_.unhealthy_threshold);
    passes_ = 0;
    slow_passes_ = 0;
    fast_passes_ = 0;
    if (failures_ >= policy_.unhealthy_threshold) {
      return move_to(health_state::unhealthy, reason);
    }
    return std::nullopt;
  }
  const bool slow = outcome == probe_outcome::passed_slow;
  failures_ = 0;
  passes_ = std::min(passes_ + 1, policy_.healthy_threshold);
  slow_passes_ = slow ? std::min(slow_passes_ + 1, policy_.unhealthy_threshold) : 0;
  fast_passes_ = slow ? 0 : std::min(fast_passes_ + 1, policy_.healthy_threshold);
  // Passing again lands in degraded only if the slow streak alone would have put it there.
  const health_state passing =
      slow_passes_ >= policy_.unhealthy_threshold ? health_state::degraded : health_state::healthy;
  switch (state_) {
    case health_state::unknown: return move_to(passing);
    case health_state::unhealthy:
      if (passes_ >= policy_.healthy_threshold) {
        return move_to(passing);
      }
      return std::nullopt;
    case health_state::healthy:
      if (slow_passes_ >= policy_.unhealthy_threshold) {
        return move_to(health_state::degraded);
      }
      return std::nullopt;
    case health_state::degraded:
      if (fast_passes_ >= policy_.healthy_threshold) {
        return move_to(health_state::healthy);
      }
      return std::nullopt;
    case health_state::suspended: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<health_transition> health_machine::suspend() {
  passes_ = failures_ = slow_passes_ = fast_passes_ = 0;
  return move_to(health_state::suspended);
}

std::optional<health_transition> health_machine::resume() {
  if (state_ != health_state::suspended) {
    return std::nullopt;
  }
  passes_ = failures_ = slow_passes_ = fast_passes_ = 0;
  return move_to(health_state::unknown);
}

}  // namespace meshwatch

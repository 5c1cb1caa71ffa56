#include "daemon/probe_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace meshwatch {
namespace {

bool has_tag(const probe_config& probe, std::string_view tag) {
  return std::find(probe.tags.begin(), probe.tags.end(), tag) != probe.tags.end();
}

// Keeps a hand-built policy sane, so every later computation is in range.
schedule_policy normalised(schedule_policy p) {
  using std::chrono::milliseconds;
  p.interval = std::max(p.interval, milliseconds{1});
  p.timeout = std::max(p.timeout, milliseconds{0});
  p.jitter_percent = std::clamp(p.jitter_percent, 0, 50);
  p.unhealthy_interval = std::clamp(p.unhealthy_interval, milliseconds{1}, p.interval);
  p.min_spacing = std::max(p.min_spacing, milliseconds{0});
  if (p.budget) {
    p.budget->max_runs = std::clamp(p.budget->max_runs, 1, max_budget_runs);
    p.budget->window = std::max(p.budget->window, milliseconds{1});
  }
  return p;
}

}  // namespace

schedule_policy make_schedule_policy(const probe_config& probe, const probe_defaults& defaults) {
  schedule_policy p;
  p.interval = probe.interval.count() > 0 ? probe.interval : defaults.interval;
  p.timeout = probe.timeout.count() > 0 ? probe.timeout : defaults.timeout;
  p.jitter_percent = defaults.jitter_percent;
  p.unhealthy_interval = std::min(p.interval, std::max({p.interval / 3, p.timeout, min_unhealthy_interval}));
  if (has_tag(probe, "risky")) {
    p.min_spacing = risky_min_spacing;
    p.unhealthy_interval = p.interval;
  }
  if (has_tag(probe, "budget")) {
    p.budget = default_budget;
    p.unhealthy_interval = p.interval;
  }
  return normalised(p);
}

probe_schedule::probe_schedule(schedule_policy policy, random_source random)
    : policy_(normalised(policy)), random_(std::move(random)) {}

double probe_schedule::uniform() {
  const double u = random_ ? random_() : 0.5;
  // Clamped just below 1 so "[0, interval)" holds even for a sloppy source.
  return std::isfinite(u) ? std::clamp(u, 0.0, std::nextafter(1.0, 0.0)) : 0.5;
}

std::chrono::milliseconds probe_schedule::jittered(std::chrono::milliseconds gap) {
  const double spread = policy_.jitter_percent / 100.0;
  const double factor = 1.0 + spread * (2.0 * uniform() - 1.0);
  return std::chrono::milliseconds{std::llround(static_cast<double>(gap.count()) * factor)};
}

schedule_time probe_schedule::first_run(schedule_time now) {
  const auto spread = std::min(policy_.interval, first_run_spread);
  const auto delay = std::chrono::milliseconds{
      static_cast<std::int64_t>(std::floor(static_cast<double>(spread.count()) * uniform()))};
  return now + delay;
}

void probe_schedule::expire(schedule_time now) {
  if (!policy_.budget) {
    return;
  }
  while (!starts_.empty() && starts_.front() + policy_.budget->window <= now) {
    starts_.pop_front();
  }
}

probe_schedule::start_decision probe_schedule::try_start(schedule_time now) {
  if (last_start_ && now < *last_start_ + policy_.min_spacing) {
    return {false, *last_start_ + policy_.min_spacing};
  }
  expire(now);
  if (policy_.budget && static_cast<int>(starts_.size()) >= policy_.budget->max_runs) {
    // Retry when the oldest start leaves the window, but not sooner than a normal interval:
    // one skip is reported per attempt, so the skip counter tracks the runs we gave up.
    const schedule_time freed = starts_.front() + policy_.budget->window;
    return {false, std::max(freed, now + jittered(policy_.interval))};
  }
  last_start_ = now;
  if (policy_.budget) {
    starts_.push_back(now);
  }
  return {true, now};
}

schedule_time probe_schedule::next_run(schedule_time completed, bool unhealthy) {
  const std::chrono::milliseconds gap = unhealthy ? policy_.unhealthy_interval : policy_.interval;
  schedule_time next = completed + jittered(gap);
  if (last_start_) {
    next = std::max(next, *last_start_ + policy_.min_spacing);
  }
  return next;
}

std::optional<int> probe_schedule::budget_left(schedule_time now) {
  if (!policy_.budget) {
    return std::nullopt;
  }
  expire(now);
  return policy_.budget->max_runs - static_cast<int>(starts_.size());
}

}  // namespace meshwatch

#include "daemon/console/heartbeat_tracker.hpp"

namespace meshwatch {
namespace {

std::size_t index(heartbeat h) { return static_cast<std::size_t>(h); }

}  // namespace

using namespace std::chrono_literals;

heartbeat_tracker::heartbeat_tracker(time_point started) : started_(started) {}

heartbeat_tracker::duration heartbeat_tracker::period(heartbeat h) {
  switch (h) {
    case heartbeat::load_monitor: return 5s;
    case heartbeat::health_check: return 10s;
    case heartbeat::alert_evaluator: return 30s;
  }
  return 5s;
}

heartbeat_tracker::duration heartbeat_tracker::warn_after(heartbeat h) {
  // Gaps of up to ~30 s happen when a worker is blocked by a slow client (F-25): warn only.
  return h == heartbeat::alert_evaluator ? duration{60s} : duration{20s};
}

heartbeat_tracker::duration heartbeat_tracker::alert_after(heartbeat h) {
  return h == heartbeat::alert_evaluator ? duration{120s} : duration{45s};
}

void heartbeat_tracker::reset(time_point started) {
  started_ = started;
  last_.fill(std::nullopt);
}

void heartbeat_tracker::seen(heartbeat h, time_point at) {
  auto& slot = last_[index(h)];
  // Lines can be handed over out of order (two sources); keep the newest.
  if (!slot || *slot < at) {
    slot = at;
  }
}

std::optional<heartbeat_tracker::time_point> heartbeat_tracker::last_seen(heartbeat h) const {
  return last_[index(h)];
}

heartbeat_tracker::duration heartbeat_tracker::age(heartbeat h, time_point now) const {
  time_point from = last_[index(h)].value_or(started_);
  return now > from ? now - from : duration::zero();
}

heartbeat_state heartbeat_tracker::state(heartbeat h, time_point now) const {
  auto a = age(h, now);
  if (a > alert_after(h)) {
    return heartbeat_state::alert;
  }
  if (a > warn_after(h)) {
    return heartbeat_state::warn;
  }
  return heartbeat_state::ok;
}

}  // namespace meshwatch

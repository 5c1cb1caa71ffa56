#include "daemon/process/restart_tracker.hpp"

#include <algorithm>

namespace meshwatch {

restart_tracker::restart_tracker(int threshold, std::chrono::milliseconds window, std::size_t max_history)
    : threshold_(threshold), window_(window), max_history_(std::max<std::size_t>(max_history, 1)) {}

void restart_tracker::expire(clock::time_point now) {
  while (!restarts_.empty() && now - restarts_.front() >= window_) {
    restarts_.pop_front();
  }
}

std::size_t restart_tracker::restarts_in_window(clock::time_point now) {
  expire(now);
  return restarts_.size();
}

restart_tracker::update restart_tracker::on_start(const process_identity& id, clock::time_point now) {
  update result;
  if (last_ && *last_ == id) {
    return result;
  }
  bool first = !last_.has_value();
  const bool after_stop = last_exit_was_stop_;
  last_ = id;
  last_exit_was_stop_ = false;
  if (first) {
    return tick(now);
  }
  result.restarted = true;
  ++restarts_total_;
  if (!after_stop) {
    restarts_.push_back(now);
    if (restarts_.size() > max_history_) {
      restarts_.pop_front();
    }
  }
  auto ticked = tick(now);
  result.crash_loop_started = ticked.crash_loop_started;
  result.crash_loop_ended = ticked.crash_loop_ended;
  return result;
}

void restart_tracker::on_exit(const process_identity& id, bool external_stop) {
  // Only the exit of the process we know: a stale report must not excuse the next crash.
  if (last_ && *last_ == id) {
    last_exit_was_stop_ = external_stop;
  }
}

restart_tracker::update restart_tracker::tick(clock::time_point now) {
  update result;
  expire(now);
  bool looping = threshold_ > 0 && restarts_.size() >= static_cast<std::size_t>(threshold_);
  if (looping && !crash_looping_) {
    result.crash_loop_started = true;
  } else if (!looping && crash_looping_) {
    result.crash_loop_ended = true;
  }
  crash_looping_ = looping;
  return result;
}

}  // namespace meshwatch

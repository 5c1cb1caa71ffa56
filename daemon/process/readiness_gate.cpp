#include "daemon/process/readiness_gate.hpp"

namespace meshwatch {

std::string_view to_string(readiness r) {
  switch (r) {
    case readiness::down: return "down";
    case readiness::starting: return "starting";
    case readiness::ready: return "ready";
  }
  return "down";
}

readiness_gate::readiness_gate(std::chrono::milliseconds start_grace) : grace_(start_grace) {}

void readiness_gate::on_start(clock::time_point now) {
  state_ = readiness::starting;
  started_at_ = now;
  restart_expected_since_.reset();
  line_seen_ = false;
  probe_passed_ = false;
  timeout_reported_ = false;
}

bool readiness_gate::on_exit() {
  bool was_ready = state_ == readiness::ready;
  state_ = readiness::down;
  started_at_.reset();
  restart_expected_since_.reset();
  line_seen_ = false;
  probe_passed_ = false;
  return was_ready;
}

void readiness_gate::expect_restart(clock::time_point exited_at) {
  if (state_ == readiness::down) {
    restart_expected_since_ = exited_at;
  }
}

bool readiness_gate::maybe_ready() {
  if (state_ == readiness::starting && line_seen_ && probe_passed_) {
    state_ = readiness::ready;
    return true;
  }
  return false;
}

bool readiness_gate::on_listening_line() {
  if (state_ != readiness::starting) {
    return false;
  }
  line_seen_ = true;
  return maybe_ready();
}

bool readiness_gate::on_fast_path_probe(bool passed) {
  // Only a pass matters while starting: failures are expected until the socket exists.
  if (state_ != readiness::starting || !passed) {
    return false;
  }
  probe_passed_ = true;
  return maybe_ready();
}

bool readiness_gate::readiness_timed_out(clock::time_point now) {
  if (state_ != readiness::starting || timeout_reported_ || !started_at_ || in_grace(now)) {
    return false;
  }
  timeout_reported_ = true;
  return true;
}

bool readiness_gate::in_grace(clock::time_point now) const {
  if (state_ == readiness::down) {
    return restart_expected_since_ && now - *restart_expected_since_ < grace_;
  }
  return state_ == readiness::starting && started_at_ && now - *started_at_ < grace_;
}

}  // namespace meshwatch

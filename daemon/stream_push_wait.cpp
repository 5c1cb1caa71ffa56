#include "daemon/stream_push_wait.hpp"

#include <variant>

namespace meshwatch {

std::optional<std::size_t> causing_request_step(const pipeline_probe& pipeline, std::size_t wait_index) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < wait_index && i < pipeline.steps.size(); ++i) {
    if (std::holds_alternative<http_request>(pipeline.steps[i].action)) {
      found = i;
    }
  }
  return found;
}

bool push_proved_before(const pipeline_probe& pipeline, std::size_t wait_index) {
  auto request = causing_request_step(pipeline, wait_index);
  if (!request) {
    return false;
  }
  for (std::size_t i = *request + 1; i < wait_index && i < pipeline.steps.size(); ++i) {
    if (std::holds_alternative<pg_query_step>(pipeline.steps[i].action)) {
      return true;
    }
  }
  return false;
}

missing_push judge_missing_push(const missing_push_facts& facts) {
  if (!facts.connected || !facts.connected_since) {
    return missing_push::not_connected;
  }
  if (*facts.connected_since > facts.request_started) {
    return missing_push::reconnected;
  }
  if (facts.evicted) {
    return missing_push::evicted;
  }
  return facts.proved ? missing_push::silent_drop : missing_push::unproved;
}

failure_reason reason_for(missing_push verdict) {
  switch (verdict) {
    case missing_push::not_connected:
    case missing_push::reconnected: return failure_reason::ws_closed;
    case missing_push::evicted:
    case missing_push::silent_drop:
    case missing_push::unproved: return failure_reason::pipeline_stalled;
  }
  return failure_reason::pipeline_stalled;
}

std::string describe(missing_push verdict) {
  switch (verdict) {
    case missing_push::not_connected: return "the stream subscriber is not connected";
    case missing_push::reconnected:
      return "the stream subscriber reconnected after the request; the push may have been lost with the old "
             "connection";
    case missing_push::evicted:
      return "pushes since the request were dropped to stay within the buffer bound";
    case missing_push::silent_drop:
      return "silent drop: accepted and stored, but not pushed to the connected stream subscriber";
    case missing_push::unproved: return "no matching push";
  }
  return "no matching push";
}

}  // namespace meshwatch

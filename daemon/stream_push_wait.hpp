#pragma once
// Judging a pipeline's wait for a push on the long-lived stream subscriber (pure): which
// request caused the push, whether the run proved the push was due, and — when it never
// came — whether that is a silent drop (connected all along, nothing arrived) or something
// the subscriber knows about (not connected, reconnected since the request, buffer bound).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "config/probe_config.hpp"
#include "probes/failure_reason.hpp"

namespace meshwatch {

/** The last http step before `wait_index`: its request is what the push answers. */
std::optional<std::size_t> causing_request_step(const pipeline_probe& pipeline, std::size_t wait_index);

/**
 * Whether the steps before `wait_index` prove that the push is due: the causing request was
 * accepted (an http step that passed) and a later pg step saw its row. A run only reaches a
 * step when every earlier step passed, so the order of the steps is the proof.
 */
bool push_proved_before(const pipeline_probe& pipeline, std::size_t wait_index);

struct missing_push_facts {
  bool connected = false;  // the subscriber, when the wait ended
  std::optional<std::chrono::steady_clock::time_point> connected_since;  // of its current connection
  std::chrono::steady_clock::time_point request_started{};
  bool proved = false;   // push_proved_before
  bool evicted = false;  // pushes since the request were dropped to stay within the buffer bound
};

enum class missing_push {
  not_connected,  // the subscriber is down: the pipeline cannot observe pushes
  reconnected,    // the connection was replaced after the request: the push may have gone to the old one
  evicted,        // meshwatch's own buffer bound, not Mesher
  silent_drop,    // connected throughout, push proved due, nothing arrived
  unproved,       // nothing arrived, but the run did not prove the push was due
};

missing_push judge_missing_push(const missing_push_facts& facts);

/** ws_closed for the subscriber's own troubles, pipeline_stalled otherwise. */
failure_reason reason_for(missing_push verdict);

/** A short explanation for the probe's detail. */
std::string describe(missing_push verdict);

}  // namespace meshwatch

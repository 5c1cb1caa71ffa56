#pragma once
// Crash attribution for one target (DESIGN.md §4, FAILURES.md F-01/D9): a probe that started
// shortly before two crashes within a bounded history is the suspect, and is suspended once.
// Pure: the caller passes the crash time and the probes that started in the window before it.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/process/exit_classifier.hpp"

namespace meshwatch {

/**
 * Exits a probe can plausibly cause. Exit 0 (DB at start), operator stops, OOM/kill -9 and the
 * closing of our own pipe cannot be pinned on a request; an unknown status can (a silent SIGSEGV
 * seen without a proc connector looks exactly like that).
 */
bool attributable_exit(const std::optional<exit_report>& exit);

class crash_attribution {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct options {
    std::size_t crashes_to_suspect = 2;         // a probe must precede this many crashes
    std::size_t history = 10;                   // crashes remembered
    std::chrono::seconds max_age{3600};         // and for at most this long
    std::size_t max_candidates_per_crash = 32;  // distinct probes remembered per crash
    std::size_t max_suspended = 256;            // suspension memory, bounded like everything else
  };

  struct candidate {
    std::string probe;
    time_point started{};
  };

  struct verdict {
    std::optional<std::string> suspect;
    bool newly_suspended = false;  // the suspect was not suspended before this crash
    std::size_t crashes = 0;       // crashes (this one included) the suspect preceded
  };

  crash_attribution() : crash_attribution(options{}) {}
  explicit crash_attribution(options o) : options_(o) {}

  /**
   * Records a crash at `at` preceded by `candidates` (probes that started within the attribution
   * window). Among the candidates that now reach `crashes_to_suspect`, the one seen before most
   * crashes wins, ties going to the latest start: the probe closest to the death is the likelier
   * trigger, and a frequent harmless probe (the fast path) must not be picked over it.
   */
  verdict on_crash(time_point at, const std::vector<candidate>& candidates);

  bool suspended(const std::string& probe) const { return suspended_.count(probe) > 0; }
  /** Forgets a suspension (operator resumed the probe, config reload): it may be suspended again. */
  void resume(const std::string& probe);
  std::size_t history_size() const { return history_.size(); }

 private:
  struct crash_record {
    time_point at{};
    std::vector<std::string> probes;  // distinct, bounded
  };

  void prune(time_point now);

  options options_;
  std::deque<crash_record> history_;
  std::set<std::string> suspended_;
};

}  // namespace meshwatch

#pragma once
// Mesher's EventProcessor and alert firing (API.md §5). Snapshot mode runs the HEAD SQL, whose
// fingerprint expression PostgreSQL rejects at parse time (F-14) and whose alert statements
// fail with 42P18 (F-15); fixed mode runs the intended statements and stores the event at once.
#include <optional>
#include <string>

namespace meshwatch::twin {

struct twin_context;

struct processed_event {
  std::optional<std::string> error;  // PGERR → 400 / WS {"error":…}
  std::string issue_id;              // uuid, or "discarded"
  bool new_issue = false;
};

processed_event process_event(twin_context& ctx, const std::string& project_id, const std::string& body);

/** WS `event` + `issue_count` pushes to `project:<id>` after an accepted event. */
void broadcast_event(twin_context& ctx, const std::string& project_id, const processed_event& event,
                     const std::string& body);

/** new_issue rules of the project (fixed mode only; snapshot fails silently like HEAD). */
void fire_new_issue_alerts(twin_context& ctx, const std::string& project_id, const std::string& issue_id);

/** One alert-evaluator tick: the console line to print. */
std::string evaluate_threshold_rules(twin_context& ctx);

}  // namespace meshwatch::twin

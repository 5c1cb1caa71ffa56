#include "daemon/console/console_event.hpp"

namespace meshwatch {
std::string_view to_string(heartbeat h) {
  switch (h) {
    case heartbeat::load_monitor: return "load_monitor";
    case heartbeat::health_check: return "health_check";
    case heartbeat::alert_evaluator: return "alert_evaluator";
  }
  return "load_monitor";
}

std::string_view to_string(console_severity s) {
  switch (s) {
    case console_severity::info: return "info";
    case console_severity::warning: return "warning";
    case console_severity::error: return "error";
    case console_severity::fatal: return "fatal";
  }
  return "info";
}

std::string_view to_string(console_event_kind k) {
  return console_event_kind_names.at(static_cast<std::size_t>(k));
}

std::optional<console_event_kind> console_event_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < console_event_kind_names.size(); ++i) {
    if (console_event_kind_names[i] == name) {
      return static_cast<console_event_kind>(i);
    }
  }
  return std::nullopt;
}

std::string_view to_string(panic_kind k) {
  switch (k) {
    case panic_kind::mesh: return "mesh";
    case panic_kind::runtime: return "runtime";
    case panic_kind::stdout_pipe: return "stdout_pipe";
    case panic_kind::allocation: return "allocation";
  }
  return "runtime";
}

}  // namespace meshwatch

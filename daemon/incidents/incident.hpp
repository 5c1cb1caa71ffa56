#pragma once
// An incident groups what happened to one target within a window (DESIGN.md §8): a process exit
// and its signal, the panic block before it, the probes that failed around it, the probe that ran
// just before it, and — when crash attribution applies — the probe suspected of causing it.
// Every list and string has a bound, so an incident's size (and its JSON line) is bounded too.
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/console/console_event.hpp"
#include "daemon/process/exit_classifier.hpp"
#include "probes/failure_reason.hpp"

namespace meshwatch {

/** Closed: it is the `kind` label of meshwatch_incidents_total. */
enum class incident_kind : std::uint8_t {
  crash,            // an abnormal exit: a signal or non-zero code other than a stop, or unknown status
  clean_exit,       // exit 0: in Mesher only the DB-at-start failure (FAILURES.md F-32)
  stopped,          // SIGTERM/SIGINT (143/130): an operator, deploy or service manager stopped it (D1)
  panic,            // a caught handler panic (the process lived), or a panic whose exit never came;
                    // repeats of the same panic join it until it has been quiet for a while
  crash_loop,       // the process watcher reported a crash loop; open until it ends
  not_ready,        // a live process missed its readiness (start grace ran out, F-33)
  endpoint_outage,  // several distinct probes failing together while the process lives
  heartbeat_stale,  // a heartbeat line seen before stopped past its alert age (D4)
};
inline constexpr std::array<incident_kind, 8> all_incident_kinds{
    incident_kind::crash,           incident_kind::clean_exit,     incident_kind::stopped,
    incident_kind::panic,           incident_kind::crash_loop,     incident_kind::not_ready,
    incident_kind::endpoint_outage, incident_kind::heartbeat_stale};
std::string_view to_string(incident_kind kind);

/** Bounds on what one incident holds (text is cut with bounded_text, lists keep the first N). */
struct incident_limits {
  static constexpr std::size_t max_panics = 3;
  static constexpr std::size_t max_panic_lines = 12;
  static constexpr std::size_t max_line_bytes = 256;
  static constexpr std::size_t max_message_bytes = 1024;
  static constexpr std::size_t max_name_bytes = 128;   // probe, target, thread
  static constexpr std::size_t max_route_bytes = 256;  // route template, panic location
  static constexpr std::size_t max_detail_bytes = 256;
  static constexpr std::size_t max_failing_probes = 32;
  static constexpr std::size_t max_probe_starts = 16;
  static constexpr std::size_t max_console_lines = 8;
  /**
   * A crash's or clean exit's last console lines, every severity (FAILURES.md D1: "the last 200
   * log lines"). Only in the full form (the incident log), never on /status.
   */
  static constexpr std::size_t max_last_lines = 200;
  /** Distinct probes remembered as the triggers of a repeated panic. */
  static constexpr std::size_t max_triggers = 8;
};

/** Both clocks at one instant: wall time for people, steady time for windows and offsets. */
struct incident_time {
  std::chrono::system_clock::time_point wall{};
  std::chrono::steady_clock::time_point mono{};
};

/** Offsets are relative to the incident's opened_at; negative means before it. */
using incident_offset = std::chrono::milliseconds;

struct incident_panic {
  panic_kind kind = panic_kind::runtime;
  std::string thread;
  std::string location;
  std::string message;
  bool aborted = false;
  bool caught = false;
  std::vector<std::string> lines;  // the first lines of the block
  std::size_t lines_omitted = 0;
  incident_offset offset{};
};

struct incident_probe_failure {
  std::string probe;
  std::string route;
  std::optional<failure_reason> reason;
  std::string detail;
  int http_status = 0;
  bool starting = false;     // inside the start-up grace of a (re)start
  incident_offset offset{};  // of the probe's start
};

struct incident_probe_start {
  std::string probe;
  std::string route;
  incident_offset offset{};
};

/** A probe that started just before one or more occurrences of a repeated panic. */
struct incident_trigger {
  std::string probe;
  std::string route;
  std::uint64_t occurrences = 0;
};

struct incident_console_line {
  console_event_kind kind = console_event_kind::user_match;
  std::string line;
  incident_offset offset{};
};

/** One console line as printed, whatever its classification: the context of an exit. */
struct incident_log_line {
  std::string line;
  console_stream stream = console_stream::merged;
  incident_offset offset{};
};

struct incident {
  std::string id;  // "<UTC time of opening>-<sequence>": unique and sortable
  std::uint64_t sequence = 0;
  std::string target;
  incident_kind kind = incident_kind::crash;
  std::string summary;  // one line for people: "SIGSEGV (native_crash) after 42 s"
  std::string detail;   // kind-specific context: the not_ready reason, stale heartbeat, …
  incident_time opened_at{};
  std::optional<incident_time> closed_at;
  std::string close_reason;  // window_passed, ready, crash_loop_ended, heartbeat_resumed, …

  std::optional<pid_t> pid;
  std::optional<exit_report> exit;
  std::vector<incident_panic> panics;
  std::vector<incident_probe_failure> failing_probes;
  std::size_t failing_probes_omitted = 0;
  /** The last probe that started within the look-back before the exit, with its route. */
  std::optional<incident_probe_start> probe_before;
  /** Every probe that started within the attribution window before the exit. */
  std::vector<incident_probe_start> probes_started_before;
  std::vector<incident_console_line> console;  // error lines seen before it opened
  /** crash and clean_exit: the target's last lines before the exit (and just after, read late). */
  std::vector<incident_log_line> last_lines;
  std::optional<std::string> suspected_probe;
  bool suspended = false;  // this incident suspended the suspected probe

  /**
   * How often its trigger happened: 1, or more for a `panic` that repeated while the incident
   * was open (the same panic joins the incident instead of opening a new one each time).
   */
  std::uint64_t occurrences = 1;
  incident_time last_occurrence{};  // the opening trigger until a repeat joins
  /** The probe that started last before each occurrence (first N distinct, counted). */
  std::vector<incident_trigger> triggers;
  std::uint64_t triggers_omitted = 0;  // occurrences whose probe did not fit in `triggers`

  bool open() const { return !closed_at.has_value(); }
};

/** Bounded copies for storing into an incident. */
incident_panic make_incident_panic(const panic_details& details, incident_offset offset);
incident_probe_failure make_incident_probe_failure(std::string_view probe, std::string_view route,
                                                   std::optional<failure_reason> reason,
                                                   std::string_view detail, int http_status, bool starting,
                                                   incident_offset offset);

/** "SIGSEGV (native_crash) after 42.0 s", "exit 0 (db_at_start_failure)", "exited, status unknown". */
std::string describe_exit(const std::optional<exit_report>& exit);

/** The id for sequence `n` opened at `wall`: `20250101T120000.123Z-000042`. */
std::string make_incident_id(std::chrono::system_clock::time_point wall, std::uint64_t n);

/** UTC, RFC 3339 with milliseconds: `2025-01-01T12:00:00.123Z`. */
std::string format_utc(std::chrono::system_clock::time_point wall);

}  // namespace meshwatch

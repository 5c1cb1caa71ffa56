#pragma once
// Exit classification for Mesher (FAILURES.md D1, RUNTIME.md §7). Pure functions: the
// watcher feeds them whatever it could learn (a child's waitid status, a proc-connector
// status, or nothing) and gets back a closed classification plus bounded metric labels.
#include <chrono>
#include <string>
#include <string_view>

namespace meshwatch {

/** What is known about how a process ended. */
struct exit_status {
  enum class kind { exited, signaled, unknown };
  kind how = kind::unknown;
  int code = 0;    // exit code (0–255) when how == exited
  int signal = 0;  // terminating signal when how == signaled
  bool core_dumped = false;

  static exit_status exited_with(int code);
  static exit_status killed_by(int signal, bool core_dumped = false);
  static exit_status unknown();
  bool operator==(const exit_status&) const = default;
};

/** Decodes a wait(2)-style status word (waitpid, or the proc connector's exit_code). */
exit_status exit_status_from_wait_status(int wait_status);
/** Decodes waitid's siginfo (si_code CLD_EXITED / CLD_KILLED / CLD_DUMPED, si_status). */
exit_status exit_status_from_siginfo(int child_code, int child_status);

enum class exit_classification {
  db_at_start_failure,  // exit 0: Mesher returns from main only when the pool failed (F-32)
  error_exit,           // any other exit code with no known meaning
  panic_abort,          // SIGABRT / 134: any panic, allocation failure (F-03)
  native_crash,         // SIGSEGV / 139: null or wild pointer, stack overflow (F-01)
  bus_error,            // SIGBUS / 135
  arithmetic_error,     // SIGFPE / 136: integer division by zero (F-24)
  killed,               // SIGKILL / 137: OOM killer or an external kill -9 (F-28)
  pipe_closed,          // SIGPIPE / 141: whoever read its stdout/stderr went away (F-38)
  external_stop,        // SIGTERM / SIGINT (143 / 130): no handlers, state is lost (F-39)
  other_signal,
  unknown,  // not a child and no proc connector: only "it is gone" is known
};

std::string_view to_string(exit_classification c);

struct exit_report {
  exit_status status;
  exit_classification classification = exit_classification::unknown;
  /** A non-stop exit shortly after start (D1: "crash < 60 s after start"). */
  bool startup_regression = false;
  std::chrono::milliseconds uptime{0};
};

/** The threshold below which an abnormal exit counts as a start-up regression. */
inline constexpr std::chrono::seconds startup_regression_window{60};

/**
 * Classifies an exit. A plain exit code of 128+N (a shell wrapper re-raising the child's
 * death as a code) is classified like signal N, but its labels stay the code.
 * `uptime` is negative when unknown; then startup_regression is false.
 */
exit_report classify_exit(const exit_status& status, std::chrono::milliseconds uptime);

/** "SIGSEGV" etc.; "SIG<n>" for numbers without a name; "" for 0. Bounded: n in 1..64. */
std::string signal_name(int signal);

/** Metric label values: code "0".."255" or "", signal name or "" (both "" = unknown). */
std::string exit_code_label(const exit_status& status);
std::string exit_signal_label(const exit_status& status);

}  // namespace meshwatch

#include "daemon/process/exit_classifier.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <utility>

namespace meshwatch {
namespace {

constexpr int shell_signal_base = 128;  // sh reports death by signal N as exit code 128+N
constexpr int max_signal = 64;

exit_classification by_signal(int signal) {
  switch (signal) {
    case SIGABRT: return exit_classification::panic_abort;
    case SIGSEGV: return exit_classification::native_crash;
    case SIGBUS: return exit_classification::bus_error;
    case SIGFPE: return exit_classification::arithmetic_error;
    case SIGKILL: return exit_classification::killed;
    case SIGPIPE: return exit_classification::pipe_closed;
    case SIGTERM:
    case SIGINT: return exit_classification::external_stop;
    default: return exit_classification::other_signal;
  }
}

}  // namespace

exit_status exit_status::exited_with(int code) { return {kind::exited, code & 0xff, 0, false}; }

exit_status exit_status::killed_by(int signal, bool core_dumped) {
  return {kind::signaled, 0, signal, core_dumped};
}

exit_status exit_status::unknown() { return {}; }

exit_status exit_status_from_wait_status(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return exit_status::exited_with(WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return exit_status::killed_by(WTERMSIG(wait_status), WCOREDUMP(wait_status));
  }
  return exit_status::unknown();
}

exit_status exit_status_from_siginfo(int child_code, int child_status) {
  switch (child_code) {
    case CLD_EXITED: return exit_status::exited_with(child_status);
    case CLD_KILLED: return exit_status::killed_by(child_status, false);
    case CLD_DUMPED: return exit_status::killed_by(child_status, true);
    default: return exit_status::unknown();
  }
}

std::string_view to_string(exit_classification c) {
  switch (c) {
    case exit_classification::db_at_start_failure: return "db_at_start_failure";
    case exit_classification::error_exit: return "error_exit";
    case exit_classification::panic_abort: return "panic_abort";
    case exit_classification::native_crash: return "native_crash";
    case exit_classification::bus_error: return "bus_error";
    case exit_classification::arithmetic_error: return "arithmetic_error";
    case exit_classification::killed: return "killed";
    case exit_classification::pipe_closed: return "pipe_closed";
    case exit_classification::external_stop: return "external_stop";
    case exit_classification::other_signal: return "other_signal";
    case exit_classification::unknown: return "unknown";
  }
  return "unknown";
}

exit_report classify_exit(const exit_status& status, std::chrono::milliseconds uptime) {
  exit_report report;
  report.status = status;
  report.uptime = uptime;
  switch (status.how) {
    case exit_status::kind::unknown: report.classification = exit_classification::unknown; break;
    case exit_status::kind::signaled: report.classification = by_signal(status.signal); break;
    case exit_status::kind::exited:
      if (status.code == 0) {
        report.classification = exit_classification::db_at_start_failure;
      } else if (status.code > shell_signal_base && status.code <= shell_signal_base + max_signal) {
        report.classification = by_signal(status.code - shell_signal_base);
      } else {
        report.classification = exit_classification::error_exit;
      }
      break;
  }
  // A deliberate stop is never a start-up regression, however early it comes; an unknown
  // exit might be one, but claiming so would be a guess.
  bool abnormal = report.classification != exit_classification::external_stop &&
                  report.classification != exit_classification::unknown;
  report.startup_regression =
      abnormal && uptime >= std::chrono::milliseconds{0} && uptime < startup_regression_window;
  return report;
}

std::string signal_name(int signal) {
  static constexpr std::array<std::pair<int, const char*>, 31> names{{
      {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},       {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
      {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},     {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
      {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"},     {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
      {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"},     {SIGTERM, "SIGTERM"}, {SIGSTKFLT, "SIGSTKFLT"},
      {SIGCHLD, "SIGCHLD"}, {SIGCONT, "SIGCONT"},     {SIGSTOP, "SIGSTOP"}, {SIGTSTP, "SIGTSTP"},
      {SIGTTIN, "SIGTTIN"}, {SIGTTOU, "SIGTTOU"},     {SIGURG, "SIGURG"},   {SIGXCPU, "SIGXCPU"},
      {SIGXFSZ, "SIGXFSZ"}, {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"}, {SIGWINCH, "SIGWINCH"},
      {SIGIO, "SIGIO"},     {SIGPWR, "SIGPWR"},       {SIGSYS, "SIGSYS"},
  }};
  if (signal <= 0) {
    return "";
  }
  for (const auto& [number, name] : names) {
    if (number == signal) {
      return name;
    }
  }
  // Real-time and out-of-range numbers: still a bounded label set.
  if (signal > max_signal) {
    return "SIG_OUT_OF_RANGE";
  }
  return "SIG" + std::to_string(signal);
}

std::string exit_code_label(const exit_status& status) {
  if (status.how != exit_status::kind::exited) {
    return "";
  }
  return std::to_string(status.code & 0xff);
}

std::string exit_signal_label(const exit_status& status) {
  if (status.how != exit_status::kind::signaled) {
    return "";
  }
  return signal_name(status.signal);
}

}  // namespace meshwatch

#include "daemon/process/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace meshwatch {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

/** In the forked child: only async-signal-safe calls. Never returns. */
[[noreturn]] void exec_child(char* const* argv, int stdout_w, int stderr_w, int status_w, pid_t parent) {
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
  }
  if (stdout_w >= 0) {
    ::dup2(stdout_w, STDOUT_FILENO);
  }
  if (stderr_w >= 0) {
    ::dup2(stderr_w, STDERR_FILENO);
  }
  // Our own process group: a Ctrl-C aimed at meshwatch in a terminal does not hit Mesher;
  // the death signal still ties Mesher's life to ours.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) {
    ::_exit(127);  // meshwatch died between fork and prctl
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    ::sigaction(sig, &dfl, nullptr);  // fails harmlessly for SIGKILL/SIGSTOP and RT gaps
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execvp(argv[0], argv);
  int err = errno;
  // Tell the parent why; the status pipe is CLOEXEC, so a successful exec sends EOF.
  [[maybe_unused]] auto n = ::write(status_w, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

std::optional<child_process> child_process::spawn(const std::vector<std::string>& argv, bool capture_output,
                                                  std::string* error) {
  auto fail = [&](const std::string& what) -> std::optional<child_process> {
    if (error != nullptr) {
      *error = what;
    }
    return std::nullopt;
  };
  if (argv.empty() || argv[0].empty()) {
    return fail("exec: empty argv");
  }
  // Everything the child needs is prepared before fork: no allocation after it.
  std::vector<std::string> args = argv;
  std::vector<char*> argv_c;
  argv_c.reserve(args.size() + 1);
  for (auto& a : args) {
    argv_c.push_back(a.data());
  }
  argv_c.push_back(nullptr);

  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  int status[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {out, err, status}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
  };
  if (capture_output && (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)) {
    close_all();
    return fail(std::string("pipe2: ") + std::strerror(errno));
  }
  if (::pipe2(status, O_CLOEXEC) != 0) {
    close_all();
    return fail(std::string("pipe2: ") + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    close_all();
    return fail(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    exec_child(argv_c.data(), out[1], err[1], status[1], parent);
  }
  close_fd(out[1]);
  close_fd(err[1]);
  close_fd(status[1]);

  child_process child;
  child.pid_ = pid;
  child.stdout_fd_ = out[0];
  child.stderr_fd_ = err[0];

  int exec_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(status[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close_fd(status[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    child.try_reap();  // it has _exit-ed or is about to; reaped by the destructor otherwise
    return fail("cannot execute " + argv[0] + ": " + std::strerror(exec_errno));
  }
  return child;
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      stderr_fd_(std::exchange(other.stderr_fd_, -1)),
      reaped_(std::exchange(other.reaped_, true)) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    stderr_fd_ = std::exchange(other.stderr_fd_, -1);
    reaped_ = std::exchange(other.reaped_, true);
  }
  return *this;
}

child_process::~child_process() { release(); }

void child_process::release() {
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
  if (pid_ > 0 && !reaped_) {
    terminate();
  }
  pid_ = -1;
}

int child_process::take_stdout_fd() { return std::exchange(stdout_fd_, -1); }
int child_process::take_stderr_fd() { return std::exchange(stderr_fd_, -1); }

std::optional<exit_status> child_process::try_reap() {
  if (pid_ <= 0 || reaped_) {
    return std::nullopt;
  }
  siginfo_t info{};
  // waitid's siginfo keeps "exited with code" and "killed by signal" apart exactly.
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG) != 0) {
    if (errno == ECHILD) {
      reaped_ = true;  // someone else reaped it; the status is lost
      return exit_status::unknown();
    }
    return std::nullopt;
  }
  if (info.si_pid == 0) {
    return std::nullopt;  // still running
  }
  reaped_ = true;
  return exit_status_from_siginfo(info.si_code, info.si_status);
}

exit_status child_process::terminate(std::chrono::milliseconds grace) {
  if (auto done = try_reap()) {
    return *done;
  }
  if (reaped_) {
    return exit_status::unknown();
  }
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto done = try_reap()) {
      return *done;
    }
    // Shutdown path only (never on the loop while it serves anything else).
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  siginfo_t info{};
  ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED);
  reaped_ = true;
  return exit_status_from_siginfo(info.si_code, info.si_status);
}

}  // namespace meshwatch

#include "tests/support/subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace meshwatch::test {
namespace {

constexpr std::size_t max_captured_lines = 200000;  // bounded: a runaway child cannot eat RAM
constexpr std::size_t max_line_bytes = 1 << 20;

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto name = entry.substr(0, entry.find('='));
    if (extra.count(name) == 0) {
      env.push_back(std::move(entry));
    }
  }
  for (const auto& [name, value] : extra) {
    env.push_back(name + "=" + value);
  }
  return env;
}

}  // namespace

subprocess::subprocess(std::vector<std::string> argv, std::map<std::string, std::string> extra_env) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  auto env = merged_environment(extra_env);
  std::vector<char*> argv_c;
  for (auto& a : argv) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  std::vector<char*> env_c;
  for (auto& e : env) env_c.push_back(e.data());
  env_c.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) {
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // Child: only async-signal-safe calls from here on.
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    setpgid(0, 0);  // own process group: a test's Ctrl-C does not race the child's handler
    execve(argv_c[0], argv_c.data(), env_c.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  out_reader_ = std::thread([this, fd = out_pipe[0]] { read_loop(fd, stream::out); });
  err_reader_ = std::thread([this, fd = err_pipe[0]] { read_loop(fd, stream::err); });
}

subprocess::~subprocess() {
  if (!wait_exit(std::chrono::milliseconds(0))) {
    kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(10));
  }
  // The readers end at EOF; a grandchild holding the pipe open would block this join, so
  // tests must not leave grandchildren (the twin and meshwatch spawn none).
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

std::string binary_path(const std::string& name) { return std::string(MESHWATCH_BIN_DIR) + "/" + name; }

void subprocess::send_signal(int signal_number) { kill(pid_, signal_number); }

void subprocess::read_loop(int fd, stream which) {
  std::string partial;
  char buffer[4096];
  auto push = [&](std::string line) {
    std::lock_guard lock(mutex_);
    auto& lines = which == stream::out ? out_lines_ : err_lines_;
    if (lines.size() < max_captured_lines) lines.push_back(std::move(line));
    changed_.notify_all();
  };
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n', start)) {
      push(partial.substr(start, nl - start));
      start = nl + 1;
    }
    partial.erase(0, start);
    if (partial.size() > max_line_bytes) {
      push(std::move(partial));
      partial.clear();
    }
  }
  if (!partial.empty()) push(std::move(partial));
  close(fd);
}

std::optional<exit_status> subprocess::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (exit_) return exit_;
    }
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status s;
      if (WIFSIGNALED(status)) {
        s.signaled = true;
        s.signal = WTERMSIG(status);
      } else {
        s.code = WEXITSTATUS(status);
      }
      {
        std::lock_guard lock(mutex_);
        exit_ = s;
      }
      // The child is gone, so its pipes reach EOF: after the joins every line is captured.
      if (out_reader_.joinable()) out_reader_.join();
      if (err_reader_.joinable()) err_reader_.join();
      return s;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<std::string> subprocess::wait_for_line(stream which, const std::string& needle,
                                                     std::chrono::milliseconds timeout) {
  return wait_for_line(
      which, [&](const std::string& line) { return line.find(needle) != std::string::npos; }, timeout);
}

std::optional<std::string> subprocess::wait_for_line(stream which,
                                                     const std::function<bool(const std::string&)>& matches,
                                                     std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto& lines = which == stream::out ? out_lines_ : err_lines_;
    for (; checked < lines.size(); ++checked) {
      if (matches(lines[checked])) return lines[checked];
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      const auto& again = which == stream::out ? out_lines_ : err_lines_;
      for (; checked < again.size(); ++checked) {
        if (matches(again[checked])) return again[checked];
      }
      return std::nullopt;
    }
  }
}

std::vector<std::string> subprocess::lines(stream which) const {
  std::lock_guard lock(mutex_);
  return which == stream::out ? out_lines_ : err_lines_;
}

std::string subprocess::console() const {
  std::lock_guard lock(mutex_);
  std::string all = "--- stdout ---\n";
  for (const auto& l : out_lines_) all += l + "\n";
  all += "--- stderr ---\n";
  for (const auto& l : err_lines_) all += l + "\n";
  return all;
}

}  // namespace meshwatch::test

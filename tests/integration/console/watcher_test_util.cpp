#include "tests/integration/console/watcher_test_util.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace meshwatch::test {

temp_dir::temp_dir() {
  std::string templ = (std::filesystem::temp_directory_path() / "meshwatch-console-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  path_ = templ;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

console_watcher_options mesher_options() {
  console_watcher_options o;
  o.target = "mesher";
  return o;
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    io.restart();
    io.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

void append(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

piped_child::piped_child(const std::vector<std::string>& argv) {
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    throw std::runtime_error("posix_spawn failed");
  }
  out_fd = out[0];
  err_fd = err[0];
}

piped_child::~piped_child() {
  if (!reaped && pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &wait_status, 0);
  }
}

bool piped_child::exited() {
  if (reaped) {
    return true;
  }
  if (::waitpid(pid, &wait_status, WNOHANG) == pid) {
    reaped = true;
  }
  return reaped;
}

double metric(const prometheus::Registry& r, const std::string& name, const std::string& label,
              const std::string& label_value) {
  for (const auto& family : r.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& m : family.metric) {
      bool match = label.empty();
      for (const auto& p : m.label) {
        match = match || (p.name == label && p.value == label_value);
      }
      if (match) {
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return -1;
}

std::size_t event_log::count(console_event_kind k) const {
  std::size_t n = 0;
  for (const auto& e : events) {
    n += e.kind == k ? 1 : 0;
  }
  return n;
}

bool event_log::has_line(const std::string& text) const {
  for (const auto& e : events) {
    if (e.line == text) {
      return true;
    }
  }
  return false;
}

}  // namespace meshwatch::test

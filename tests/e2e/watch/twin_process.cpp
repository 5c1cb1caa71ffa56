#include "tests/e2e/watch/twin_process.hpp"

#include <fstream>
#include <thread>

namespace meshwatch::test {

using namespace std::chrono_literals;

twin_process::twin_process(std::map<std::string, std::string> env, std::filesystem::path console_file,
                           std::filesystem::path ports_file)
    : env_(std::move(env)), console_file_(std::move(console_file)), ports_file_(std::move(ports_file)) {}

bool twin_process::start(std::string& why, std::chrono::milliseconds timeout) {
  std::filesystem::remove(ports_file_);
  // The shell only sets up the redirection and execs: the PID is the twin's. Both streams go
  // to one file opened for appending, like `StandardOutput=append:` of a systemd unit.
  process_ = std::make_unique<subprocess>(
      std::vector<std::string>{"/bin/sh", "-c", "f=$1; shift; exec \"$@\" >>\"$f\" 2>&1", "sh",
                               console_file_.string(), binary_path("mesher-twin"), "--mode", "fixed",
                               "--control-listen", "127.0.0.1:0", "--ports-file", ports_file_.string()},
      env_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto p = read_twin_ports(ports_file_)) {
      ports_ = *p;
      if (ports_.pid != process_->pid()) {
        why = "the ports file names PID " + std::to_string(ports_.pid) + ", not " +
              std::to_string(process_->pid());
        return false;
      }
      return true;
    }
    if (process_->wait_exit(0ms)) {
      why = "the twin exited at start";
      return false;
    }
    std::this_thread::sleep_for(50ms);
  }
  why = "the twin wrote no ports file";
  return false;
}

int twin_process::pid() const { return process_ ? process_->pid() : -1; }

int twin_process::fault(const std::string& name, const std::string& query) const {
  return post_fault(ports_.control, name, query);
}

void twin_process::send_signal(int signal_number) {
  if (process_) {
    process_->send_signal(signal_number);
  }
}

std::optional<exit_status> twin_process::wait_exit(std::chrono::milliseconds timeout) {
  return process_ ? process_->wait_exit(timeout) : std::nullopt;
}

void write_pidfile(const std::filesystem::path& path, int pid) {
  auto temporary = path;
  temporary += ".tmp";
  std::ofstream(temporary) << pid << "\n";
  std::filesystem::rename(temporary, path);
}

}  // namespace meshwatch::test

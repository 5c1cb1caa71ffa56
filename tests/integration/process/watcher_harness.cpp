#include "tests/integration/process/watcher_harness.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <prometheus/metric_family.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon/process/pid_handle.hpp"
#include "daemon/process/process_locator.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {

watcher_harness::watcher_harness() {
  // Crashing children are the point; core files in the build tree are not.
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
}

watcher_harness::~watcher_harness() {
  if (watcher_) {
    watcher_->stop();
    // Let cancelled coroutines finish before the loop goes away.
    io_.restart();
    io_.run_for(std::chrono::milliseconds(200));
    watcher_.reset();
  }
}

process_watcher_options watcher_harness::fast_options(process_selector selector) {
  process_watcher_options o;
  o.config.selector = std::move(selector);
  o.sample_interval = std::chrono::milliseconds(50);
  o.housekeeping_interval = std::chrono::milliseconds(20);
  o.relocate_min = std::chrono::milliseconds(10);
  o.relocate_max = std::chrono::milliseconds(50);
  return o;
}

void watcher_harness::start(process_watcher_options options) {
  options.target = target;
  watcher_ = std::make_unique<process_watcher>(io_, std::move(options), registry_,
                                               [this](const process_event& e) { events_.push_back(e); });
  watcher_->start();
}

bool watcher_harness::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return false;
    }
    if (io_.stopped()) {
      io_.restart();
    }
    io_.run_one_for(deadline - now);
  }
  return true;
}

std::optional<process_event> watcher_harness::wait_for(process_event_kind kind,
                                                       std::chrono::milliseconds timeout) {
  std::optional<process_event> found;
  run_until(
      [&] {
        for (; cursor_ < events_.size(); ++cursor_) {
          if (events_[cursor_].kind == kind) {
            found = events_[cursor_++];
            return true;
          }
        }
        return false;
      },
      timeout);
  return found;
}

bool watcher_harness::any_within(process_event_kind kind, std::chrono::milliseconds window) {
  auto seen = [&] {
    for (std::size_t i = cursor_; i < events_.size(); ++i) {
      if (events_[i].kind == kind) {
        return true;
      }
    }
    return false;
  };
  return run_until(seen, window);
}

std::string watcher_harness::event_summary() const {
  std::ostringstream out;
  for (const auto& e : events_) {
    out << to_string(e.kind) << "(pid " << e.process.pid;
    if (!e.detail.empty()) {
      out << ", " << e.detail;
    }
    out << ") ";
  }
  return out.str();
}

std::optional<double> watcher_harness::metric(const std::string& name,
                                              const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry_.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& m : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) {
        have[l.name] = l.value;
      }
      bool match = true;
      for (const auto& [k, v] : labels) {
        auto it = have.find(k);
        match = match && it != have.end() && it->second == v;
      }
      if (match) {
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return std::nullopt;
}

std::optional<pid_t> wait_for_pid_file(const std::string& path, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto pid = parse_pidfile(text)) {
      return pid;
    }
    // Polling a file the helper writes within milliseconds; no event to wait on here.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return std::nullopt;
}

temp_dir::temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "meshwatch-process-XXXXXX").string();
  dir_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "/tmp";
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

kill_on_exit::kill_on_exit(pid_t pid) : pidfd_(pid > 0 ? open_pidfd(pid) : -1) {}

kill_on_exit::~kill_on_exit() {
  if (pidfd_ >= 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
    ::close(pidfd_);
  }
}

std::string helper_path() { return binary_path("process_test_helper"); }

}  // namespace meshwatch::test

// Exit-to-event latency of the process watcher (issue 5), the meshwatch side of the
// process-exporter comparison, measured in-process on the library while `meshwatch run` does
// not wire the watcher yet.
//   process_bench DIR TRIALS
// Each trial: start `sleep 1000`, write DIR/mesher.pid, start a process_watcher on that pidfile,
// wait for `started`, SIGSEGV the process, reap it (as systemd would), and time kill() → the
// `exited` callback. One JSON object on stdout.
#include <sys/wait.h>
#include <unistd.h>

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/process/process_watcher.hpp"

namespace {

using namespace meshwatch;
using clock_type = std::chrono::steady_clock;

pid_t spawn_sleep() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// One trial; a negative result means the exit was not seen within the limit.
double trial(const std::string& pidfile, bool use_connector, std::string& signal_seen) {
  const pid_t pid = spawn_sleep();
  std::ofstream(pidfile, std::ios::trunc) << pid << "\n";

  boost::asio::io_context io;
  prometheus::Registry registry;
  std::atomic<bool> started{false};
  std::atomic<std::int64_t> exited_ns{0};
  process_watcher_options options;
  options.target = "mesher";
  options.config.selector = process_pidfile{pidfile};
  options.use_proc_connector = use_connector;
  process_watcher watcher(io, options, registry, [&](const process_event& e) {
    if (e.kind == process_event_kind::started) {
      started = true;
    } else if (e.kind == process_event_kind::exited && exited_ns.load() == 0) {
      if (e.exit) {
        signal_seen = e.exit->status.how == exit_status::kind::signaled
                          ? std::to_string(e.exit->status.signal)
                          : "unknown";
      }
      exited_ns = clock_type::now().time_since_epoch().count();
    }
  });
  watcher.start();

  double latency_ms = -1;
  std::thread driver([&] {
    const auto limit = clock_type::now() + std::chrono::seconds(5);
    while (!started && clock_type::now() < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto t0 = clock_type::now();
    ::kill(pid, SIGSEGV);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const auto deadline = clock_type::now() + std::chrono::seconds(5);
    while (exited_ns.load() == 0 && clock_type::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (exited_ns.load() != 0) {
      const auto t1 = clock_type::time_point(clock_type::duration(exited_ns.load()));
      latency_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    }
    boost::asio::post(io, [&] {
      watcher.stop();
      io.stop();
    });
  });
  io.run();
  driver.join();
  return latency_ms;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::off);  // stdout carries the JSON result only
  if (argc < 3) {
    std::cerr << "usage: process_bench DIR TRIALS\n";
    return 2;
  }
  const std::string pidfile = std::string(argv[1]) + "/mesher.pid";
  const int trials = std::stoi(argv[2]);
  std::cout << "{";
  for (const bool connector : {true, false}) {
    std::cout << (connector ? "\"connector\":[" : ",\"no_connector\":[");
    std::string signal;
    for (int i = 0; i < trials; ++i) {
      std::cout << (i ? "," : "") << trial(pidfile, connector, signal);
    }
    std::cout << "],\"" << (connector ? "connector" : "no_connector") << "_signal\":\"" << signal << "\"";
  }
  std::cout << "}\n";
  return 0;
}

// Console classification benchmark (issue 5), the meshwatch side of the mtail comparison.
//   console_bench gen FILE LINES [SEED]     write the generated Mesher console log
//   console_bench classify FILE [RUNS]      classifier + panic assembler over FILE in-process
//   console_bench tail FILE LOG TRIALS      console_watcher following FILE: burst-append LOG and
//                                           time the drain, then TRIALS panic blocks appended one
//                                           at a time, each timed from write() to the panic event
// Results are one JSON object on stdout.
#include <sys/resource.h>
#include <unistd.h>

#include <fcntl.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/console/console_classifier.hpp"
#include "daemon/console/console_watcher.hpp"
#include "daemon/console/panic_assembler.hpp"
#include "tests/bench/console_log.hpp"

namespace {

using namespace meshwatch;
using clock_type = std::chrono::steady_clock;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool append(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int gen(const std::string& path, std::size_t count, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& l : bench::generate_console_log(count, seed)) {
    out << l << '\n';
  }
  return out ? 0 : 1;
}

int classify(const std::string& path, int runs) {
  const std::string data = read_file(path);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < data.size();) {
    std::size_t nl = data.find('\n', start);
    if (nl == std::string::npos) {
      nl = data.size();
    }
    lines.emplace_back(data.data() + start, nl - start);
    start = nl + 1;
  }
  const console_classifier classifier;
  std::cout << "{\"lines\":" << lines.size() << ",\"runs\":[";
  for (int run = 0; run < runs; ++run) {
    panic_assembler assembler;
    std::size_t events = 0;
    std::size_t panics = 0;
    const double cpu0 = cpu_seconds();
    const auto t0 = clock_type::now();
    console_line line;
    line.stream = console_stream::merged;
    for (const auto text : lines) {
      // The watcher stamps every line on receipt; so does the bench.
      line.text.assign(text);
      line.received = console_time::now();
      const classification c = classifier.classify(line.text, line.stream);
      auto r = assembler.feed(line, c);
      panics += r.finished.size();
      if (!r.consumed && c.kind) {
        ++events;
      }
    }
    if (assembler.flush()) {
      ++panics;
    }
    const double wall = seconds_since(t0);
    const double cpu = cpu_seconds() - cpu0;
    std::cout << (run ? "," : "") << "{\"wall_s\":" << wall << ",\"cpu_s\":" << cpu
              << ",\"lines_per_s\":" << static_cast<double>(lines.size()) / wall
              << ",\"cpu_us_per_line\":" << cpu * 1e6 / static_cast<double>(lines.size())
              << ",\"events\":" << events << ",\"panics\":" << panics << "}";
  }
  std::cout << "]}\n";
  return 0;
}

int tail(const std::string& path, const std::string& log_path, int trials) {
  const std::string log = read_file(log_path);
  const std::size_t log_lines = static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n'));
  { std::ofstream(path, std::ios::trunc); }
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    std::perror("open");
    return 1;
  }

  boost::asio::io_context io;
  prometheus::Registry registry;
  std::atomic<std::size_t> lines_seen{0};
  std::atomic<std::size_t> panics_seen{0};
  std::atomic<std::int64_t> last_panic_ns{0};
  console_watcher_options options;
  options.target = "mesher";
  console_watcher watcher(io, registry, options, [&](const console_event& e) {
    if (e.panic) {
      last_panic_ns.store(clock_type::now().time_since_epoch().count());
      panics_seen.fetch_add(1);
    }
  });
  watcher.set_line_handler([&](const console_line&) { lines_seen.fetch_add(1); });
  file_follower_options follow;
  follow.path = path;
  watcher.follow_file(follow);

  double drain_s = -1;
  double drain_cpu = -1;
  std::vector<double> latencies_ms;
  std::thread driver([&] {
    auto wait_for = [](auto&& done, std::chrono::seconds limit) {
      const auto deadline = clock_type::now() + limit;
      while (!done() && clock_type::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      return done();
    };
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the follower is open
    const double cpu0 = cpu_seconds();
    const auto t0 = clock_type::now();
    append(fd, log);
    if (wait_for([&] { return lines_seen.load() >= log_lines; }, std::chrono::seconds(60))) {
      drain_s = seconds_since(t0);
      drain_cpu = cpu_seconds() - cpu0;
    }
    for (int i = 0; i < trials; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + (i * 37) % 300));
      const std::size_t before = panics_seen.load();
      const std::string block = bench::panic_block(4242);
      const auto w = clock_type::now();
      append(fd, block);
      if (!wait_for([&] { return panics_seen.load() > before; }, std::chrono::seconds(5))) {
        continue;
      }
      const auto seen = clock_type::time_point(clock_type::duration(last_panic_ns.load()));
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(seen - w).count());
    }
    boost::asio::post(io, [&] {
      watcher.stop();
      io.stop();
    });
  });
  io.run();
  driver.join();
  ::close(fd);

  std::cout << "{\"lines\":" << log_lines << ",\"drain_s\":" << drain_s << ",\"drain_cpu_s\":" << drain_cpu
            << ",\"lines_per_s\":" << (drain_s > 0 ? static_cast<double>(log_lines) / drain_s : 0)
            << ",\"cpu_us_per_line\":" << (drain_s > 0 ? drain_cpu * 1e6 / static_cast<double>(log_lines) : 0)
            << ",\"detect_ms\":[";
  for (std::size_t i = 0; i < latencies_ms.size(); ++i) {
    std::cout << (i ? "," : "") << latencies_ms[i];
  }
  std::cout << "]}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::off);  // stdout carries the JSON result only
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 3 && args[0] == "gen") {
      return gen(args[1], std::stoul(args[2]), args.size() > 3 ? std::stoull(args[3]) : 1);
    }
    if (args.size() >= 2 && args[0] == "classify") {
      return classify(args[1], args.size() > 2 ? std::stoi(args[2]) : 1);
    }
    if (args.size() >= 4 && args[0] == "tail") {
      return tail(args[1], args[2], std::stoi(args[3]));
    }
  } catch (const std::exception& e) {
    std::cerr << "console_bench: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: console_bench gen FILE LINES [SEED] | classify FILE [RUNS] | tail FILE LOG TRIALS\n";
  return 2;
}

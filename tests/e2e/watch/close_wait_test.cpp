// D10's CLOSE_WAIT count (F-17/F-25) and D13's snapshot on /status, through `meshwatch run`
// with the twin as its exec child. The twin closes a connection as soon as its peer does, so
// the test stops it (SIGSTOP) — a process that has stopped closing its sockets, as Mesher's
// actors do when a swallowed disconnect leaves them waiting forever — and closes its clients.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/watch/watch_assertions.hpp"
#include "tests/e2e/watch/watch_test_harness.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto event_timeout = 20s;
constexpr auto sample_timeout = 30s;  // /proc is sampled every 10 s
const std::map<std::string, std::string> target{{"target", "mesher"}};
const std::map<std::string, std::string> http_listener{{"target", "mesher"}, {"listener", "http"}};
const std::map<std::string, std::string> ws_listener{{"target", "mesher"}, {"listener", "ws"}};

/** Local ports of connected sockets. */
std::set<unsigned> local_ports(const std::vector<int>& fds) {
  std::set<unsigned> ports;
  for (int fd : fds) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      ports.insert(ntohs(addr.sin_port));
    }
  }
  return ports;
}

/**
 * How many of the clients (by their local ports) `pid` holds an accepted socket for: a socket
 * in /proc/<pid>/net/tcp with that remote port whose inode is one of the process's fds. Distinct
 * ports: that text is handed out a page at a time and can repeat a row while sockets come and go
 * (a repeated row once made 11 accepted clients look like 12, and the 12th then sat in the accept
 * queue through the stop).
 */
std::size_t accepted_clients(int pid, const std::set<unsigned>& client_ports) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::set<std::string> inodes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base + "/fd", ec)) {
    auto link = std::filesystem::read_symlink(entry.path(), ec).string();
    if (!ec && link.starts_with("socket:[")) {
      inodes.insert(link.substr(8, link.size() - 9));
    }
  }
  std::ifstream table(base + "/net/tcp");
  std::string line;
  std::set<unsigned> accepted;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
    auto colon = remote.find(':');
    if (colon == std::string::npos || !inodes.contains(inode)) {
      continue;
    }
    const auto port = static_cast<unsigned>(std::stoul(remote.substr(colon + 1), nullptr, 16));
    if (client_ports.contains(port)) {
      accepted.insert(port);
    }
  }
  return accepted.size();
}

/**
 * Whether every thread of `pid` is stopped ('T' in /proc/<pid>/task/<tid>/stat). kill(SIGSTOP)
 * only queues the stop: a thread that has not stopped yet still reads a peer's EOF and closes.
 */
bool all_threads_stopped(int pid) {
  std::error_code ec;
  std::size_t threads = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'T') {
      return false;
    }
    ++threads;
  }
  return !ec && threads > 0;
}

class close_wait : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ASSERT_TRUE(twin_.start_ready(why, event_timeout)) << why;
  }
  void TearDown() override {
    if (stopped_) {
      ::kill(twin_.ports().pid, SIGCONT);
    }
  }

  watched_twin twin_;
  bool stopped_ = false;
};

TEST_F(close_wait, sockets_the_process_never_closes_are_counted_per_listener_until_it_closes_them) {
  std::string last;
  // Both series exist from the start, at 0: a healthy twin closes what its peers close.
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_open_fds", target, [](auto v) { return v && *v > 0; }, sample_timeout, &last))
      << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_close_wait_sockets", http_listener), 0)) << last;
  EXPECT_TRUE(equals(metric_value(last, "meshwatch_target_close_wait_sockets", ws_listener), 0)) << last;

  // Idle clients the twin accepts (each then waits for a request line), …
  constexpr std::size_t clients = 12;
  auto fds = connect_loopback_clients(twin_.ports().http, clients);
  ASSERT_EQ(fds.size(), clients);
  // Every one accepted before the stop: a connection still in the accept queue is no fd of the
  // process (and rightly not counted). On a loaded host the accept thread can lag the connects.
  const auto ports = local_ports(fds);
  const auto accept_deadline = std::chrono::steady_clock::now() + event_timeout;
  while (accepted_clients(twin_.ports().pid, ports) < clients &&
         std::chrono::steady_clock::now() < accept_deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(accepted_clients(twin_.ports().pid, ports), clients);
  // … then the process stops closing anything, and the clients go away.
  ASSERT_EQ(::kill(twin_.ports().pid, SIGSTOP), 0);
  stopped_ = true;
  const auto stop_deadline = std::chrono::steady_clock::now() + 10s;
  while (!all_threads_stopped(twin_.ports().pid) && std::chrono::steady_clock::now() < stop_deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(all_threads_stopped(twin_.ports().pid));
  for (int fd : fds) {
    ::close(fd);
  }
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_close_wait_sockets", http_listener,
      [](auto v) { return v && *v >= static_cast<double>(clients); }, sample_timeout, &last))
      << last;
  // (Not asserted for ws: the stream subscriber may give up on its ping meanwhile and close, and
  // the stopped twin then holds that socket in CLOSE_WAIT too.)
  // F-04's stall: a process that runs nothing uses no CPU — the counter a `rate() == 0` rule
  // reads stands still between two samples taken while it is stopped.
  const auto cpu_while_stopped = metric_value(last, "meshwatch_target_cpu_seconds_total", target);
  ASSERT_TRUE(cpu_while_stopped) << last;

  auto doc = parse_json(twin_.status());
  const auto* process = status_process(doc);
  ASSERT_TRUE(process != nullptr && (*process)["resources"].IsObject()) << twin_.status();
  const auto& counted = (*process)["resources"]["close_wait_sockets"];
  ASSERT_TRUE(counted.IsObject()) << twin_.status();
  EXPECT_GE(counted["http"].GetInt64(), static_cast<std::int64_t>(clients)) << twin_.status();
  EXPECT_TRUE(counted["ws"].IsInt64()) << twin_.status();
  EXPECT_FALSE((*process)["resources"]["close_wait_truncated"].GetBool());

  std::this_thread::sleep_for(11s);  // one more sample while stopped
  EXPECT_EQ(metric_value(twin_.scrape(), "meshwatch_target_cpu_seconds_total", target), cpu_while_stopped);

  // Running again, the twin reads the clients' EOF and closes: the count falls back to 0.
  ASSERT_EQ(::kill(twin_.ports().pid, SIGCONT), 0);
  stopped_ = false;
  ASSERT_TRUE(twin_.wait_metric(
      "meshwatch_target_close_wait_sockets", http_listener, [](auto v) { return equals(v, 0); },
      sample_timeout, &last))
      << last;
}

TEST_F(close_wait, status_shows_the_environment_of_the_latest_start_with_the_localhost_order) {
  std::string last;
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& body) {
        auto d = parse_json(body);
        const auto* p = status_process(d);
        return p != nullptr && (*p)["environment"].IsObject() &&
               (*p)["environment"]["localhost_order"].IsString();
      },
      event_timeout, &last))
      << last;
  auto doc = parse_json(last);
  const auto& env = (*status_process(doc))["environment"];
  EXPECT_EQ(env["pid"].GetInt(), twin_.ports().pid);
  EXPECT_TRUE(std::string(env["binary_path"].GetString()).ends_with("mesher-twin")) << last;
  EXPECT_GT(env["binary_size"].GetInt64(), 0);
  EXPECT_GE(env["online_cpus"].GetInt(), 1);
  const std::string order = env["localhost_order"].GetString();
  EXPECT_TRUE(order.find("127.0.0.1") != std::string::npos || order.find("::1") != std::string::npos)
      << order;
  // The twin's MESHER_* environment, as meshwatch passed it on.
  ASSERT_TRUE(env["mesher_env"].IsObject()) << last;
  EXPECT_TRUE(env["mesher_env"].HasMember("MESHER_HTTP_PORT")) << last;
}

}  // namespace
}  // namespace meshwatch::test

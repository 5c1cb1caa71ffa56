// `meshwatch run` as a real process: admin server on an ephemeral port, scraped over HTTP,
// stopped by real signals.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/http_client.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

std::string write_temp_file(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("meshwatch-e2e-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string minimal_config(const std::string& extra_admin = "") {
  return "admin:\n"
         "  listen: 127.0.0.1:0\n" +
         extra_admin +
         "targets:\n"
         "  - name: mesher\n"
         "    http: http://127.0.0.1:8080\n"
         "    ws: ws://127.0.0.1:8081\n";
}

// Starts `meshwatch run` and returns the admin port it reports, or 0.
unsigned short start_and_get_port(subprocess& p) {
  static const std::regex listening(R"(admin server listening on http://127\.0\.0\.1:(\d+))");
  auto line = p.wait_for_line(
      stream::err, [](const std::string& l) { return std::regex_search(l, listening); }, 10s);
  if (!line) return 0;
  std::smatch m;
  std::regex_search(*line, m, listening);
  return static_cast<unsigned short>(std::stoi(m[1]));
}

bool promtool_accepts(const std::string& exposition, std::string& output) {
  auto path = write_temp_file("scrape.txt", exposition);
  std::string command = "promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return false;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  return pclose(pipe) == 0;
}

class daemon_process : public ::testing::Test {
 protected:
  void start(const std::string& config_text) {
    auto path = write_temp_file("meshwatch.yaml", config_text);
    process_ = std::make_unique<subprocess>(
        std::vector<std::string>{binary_path("meshwatch"), "run", "--config", path});
    port_ = start_and_get_port(*process_);
    ASSERT_NE(port_, 0) << process_->console();
  }
  std::unique_ptr<subprocess> process_;
  unsigned short port_ = 0;
};

TEST_F(daemon_process, serves_metrics_that_promtool_accepts) {
  // With a database and probes of every kind, so every metric family is in the scrape.
  start(minimal_config() +
        "    database: { dsn: \"postgres://mesh:mesh@127.0.0.1:1/mesher\" }\n"
        "probes:\n"
        "  - name: fast_path\n"
        "    interval: 1s\n"
        "    timeout: 500ms\n"
        "    http: { method: GET, path: /__meshwatch }\n"
        "    expect: { status: 404 }\n"
        "  - name: ws_stream\n"
        "    ws: { path: /stream/projects/x, send: '{}' }\n"
        "  - name: db_reachable\n"
        "    pg: { check: reachable }\n");
  auto res = http_get("127.0.0.1", port_, "/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(std::regex_search(
      res->body,
      std::regex(R"(meshwatch_build_info\{revision="[0-9a-f]+|unknown",version="\d+\.\d+\.\d+"\} 1)")))
      << res->body;
  EXPECT_NE(res->body.find("# TYPE meshwatch_loop_lag_seconds gauge"), std::string::npos);
  EXPECT_TRUE(std::regex_search(res->body, std::regex(R"(\nprocess_resident_memory_bytes [1-9])")));
  EXPECT_TRUE(std::regex_search(res->body, std::regex(R"(\nprocess_open_fds [1-9])")));
  for (const char* family :
       {"meshwatch_probe_success", "meshwatch_probe_failures_total", "meshwatch_probe_phase_duration_seconds",
        "meshwatch_db_up", "meshwatch_db_partition_horizon_seconds", "meshwatch_incidents_total"}) {
    EXPECT_NE(res->body.find(std::string("# TYPE ") + family), std::string::npos) << family;
  }
  std::string promtool_output;
  EXPECT_TRUE(promtool_accepts(res->body, promtool_output)) << promtool_output;
}

TEST_F(daemon_process, status_endpoint_and_status_command_agree) {
  start(minimal_config());
  auto res = http_get("127.0.0.1", port_, "/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers["content-type"], "application/json");
  EXPECT_TRUE(res->body.starts_with(R"({"probes":[)")) << res->body;

  subprocess status(
      {binary_path("meshwatch"), "status", "--admin", "http://127.0.0.1:" + std::to_string(port_)});
  auto exited = status.wait_exit(10s);
  ASSERT_TRUE(exited);
  EXPECT_EQ(exited->code, 0) << status.console();
  auto out = status.lines(stream::out);
  ASSERT_FALSE(out.empty());
  EXPECT_TRUE(out[0].starts_with("STATE")) << out[0];
}

TEST_F(daemon_process, sighup_applies_new_probes_and_keeps_the_old_config_on_errors) {
  auto path = write_temp_file("meshwatch.yaml", minimal_config());  // the file start() loads
  start(minimal_config());
  auto reloads = [&](const std::string& result) {
    auto res = http_get("127.0.0.1", port_, "/metrics");
    std::smatch m;
    std::regex re("meshwatch_config_reloads_total\\{result=\"" + result + "\"\\} (\\d+)");
    return res && std::regex_search(res->body, m, re) ? std::stoi(m[1]) : -1;
  };
  auto status_has = [&](const std::string& needle) {
    auto res = http_get("127.0.0.1", port_, "/status");
    return res && res->body.find(needle) != std::string::npos;
  };
  ASSERT_EQ(reloads("applied"), 0);

  // A valid new probe is applied.
  std::ofstream(path)
      << minimal_config() +
             "probes:\n  - name: added_on_reload\n    http: { method: GET, path: /__meshwatch }\n";
  process_->send_signal(SIGHUP);
  ASSERT_TRUE(process_->wait_for_line(stream::err, "SIGHUP: config applied", 5s)) << process_->console();
  EXPECT_EQ(reloads("applied"), 1);
  EXPECT_TRUE(status_has("added_on_reload"));

  // A broken file is refused with its reason; the probe stays.
  std::ofstream(path) << "admin: [1]\n";
  process_->send_signal(SIGHUP);
  auto line = process_->wait_for_line(stream::err, "SIGHUP: config invalid", 5s);
  ASSERT_TRUE(line) << process_->console();
  EXPECT_NE(line->find(path + ":1:"), std::string::npos) << *line;
  EXPECT_EQ(reloads("invalid"), 1);
  EXPECT_TRUE(status_has("added_on_reload"));

  // An admin change cannot be applied live.
  auto moved = minimal_config();
  moved.replace(moved.find("127.0.0.1:0"), 11, "127.0.0.1:1");
  std::ofstream(path) << moved;
  process_->send_signal(SIGHUP);
  ASSERT_TRUE(process_->wait_for_line(stream::err, "SIGHUP: config restart_required", 5s))
      << process_->console();
  EXPECT_EQ(reloads("restart_required"), 1);
}

TEST_F(daemon_process, healthz_ok_unknown_paths_404_wrong_method_405) {
  start(minimal_config());
  auto health = http_get("127.0.0.1", port_, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");

  auto missing = http_get("127.0.0.1", port_, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  http_request post;
  post.method = "POST";
  post.target = "/metrics";
  auto wrong = http_call("127.0.0.1", port_, post);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers["allow"], "GET, HEAD");
}

TEST_F(daemon_process, oversized_requests_are_refused_not_buffered) {
  start(minimal_config());
  std::string huge_header =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(16 * 1024, 'a') + "\r\n\r\n";
  auto reply = raw_exchange("127.0.0.1", port_, huge_header);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->starts_with("HTTP/1.1 431")) << reply->substr(0, 80);

  // A declared body over the limit is refused as soon as the header is read, before any of
  // the body is buffered.
  auto reply2 =
      raw_exchange("127.0.0.1", port_, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  ASSERT_TRUE(reply2);
  EXPECT_TRUE(reply2->starts_with("HTTP/1.1 413")) << reply2->substr(0, 80);

  // Still serving afterwards.
  auto health = http_get("127.0.0.1", port_, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(daemon_process, bearer_token_guards_every_path) {
  start(minimal_config("  bearer_token: s3cret\n"));
  auto anonymous = http_get("127.0.0.1", port_, "/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  http_request authorised;
  authorised.target = "/metrics";
  authorised.headers["Authorization"] = "Bearer s3cret";
  auto ok = http_call("127.0.0.1", port_, authorised);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

void expect_graceful_stop(subprocess& p, int signal_number) {
  auto sent = std::chrono::steady_clock::now();
  p.send_signal(signal_number);
  auto status = p.wait_exit(2s);
  auto took = std::chrono::steady_clock::now() - sent;
  ASSERT_TRUE(status) << "still running 2 s after the signal\n" << p.console();
  EXPECT_FALSE(status->signaled);
  EXPECT_EQ(status->code, 0) << p.console();
  EXPECT_LT(took, 2s);
}

TEST_F(daemon_process, sigterm_stops_within_two_seconds_with_exit_0) {
  start(minimal_config());
  // An open idle keep-alive connection must not hold the shutdown up.
  auto idle = std::thread([port = port_] { raw_exchange("127.0.0.1", port, "", 5s); });
  expect_graceful_stop(*process_, SIGTERM);
  idle.join();
}

TEST_F(daemon_process, sigint_stops_within_two_seconds_with_exit_0) {
  start(minimal_config());
  expect_graceful_stop(*process_, SIGINT);
}

TEST(daemon_process_startup, under_journald_lines_carry_priority_and_no_timestamp) {
  // systemd sets JOURNAL_STREAM to the device:inode of the stream it connected to stderr;
  // reproduce that for our pipe with stat, then exec meshwatch with it.
  auto config = write_temp_file("journal.yaml", minimal_config());
  std::string script = "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec " + binary_path("meshwatch") +
                       " run --config " + config;
  subprocess p({"/bin/sh", "-c", script});
  auto line = p.wait_for_line(stream::err, "admin server listening on", 10s);
  ASSERT_TRUE(line) << p.console();
  EXPECT_TRUE(line->starts_with("<6>meshwatch ")) << *line;
  EXPECT_FALSE(std::regex_search(*line, std::regex(R"(\d{4}-\d{2}-\d{2}T)"))) << *line;
  p.send_signal(SIGTERM);
  ASSERT_TRUE(p.wait_exit(2s));

  // Without it (or with a stale one inherited from elsewhere), lines carry a timestamp.
  subprocess plain(
      {"/usr/bin/env", "JOURNAL_STREAM=1:1", binary_path("meshwatch"), "run", "--config", config});
  auto plain_line = plain.wait_for_line(stream::err, "admin server listening on", 10s);
  ASSERT_TRUE(plain_line) << plain.console();
  EXPECT_TRUE(std::regex_search(
      *plain_line, std::regex(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} info )")))
      << *plain_line;
}

TEST(daemon_process_startup, notifies_systemd_ready_and_feeds_the_watchdog) {
  // Our own notify socket, as systemd would pass it with Type=notify and WatchdogSec=.
  auto path = std::filesystem::temp_directory_path() / ("meshwatch-notify-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  auto config = write_temp_file("notify.yaml", minimal_config());
  subprocess p({binary_path("meshwatch"), "run", "--config", config},
               {{"NOTIFY_SOCKET", path.string()}, {"WATCHDOG_USEC", "200000"}});
  bool ready = false;
  int pings = 0;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((!ready || pings < 3) && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    char buffer[512];
    auto n = ::recv(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) continue;
    std::string message(buffer, static_cast<std::size_t>(n));
    ready = ready || message.find("READY=1") != std::string::npos;
    if (message.find("WATCHDOG=1") != std::string::npos) ++pings;
  }
  ::close(fd);
  std::filesystem::remove(path);
  EXPECT_TRUE(ready) << p.console();
  EXPECT_GE(pings, 3) << "pings every 100 ms for a 200 ms watchdog";
  p.send_signal(SIGTERM);
  ASSERT_TRUE(p.wait_exit(2s));
}

TEST(daemon_process_startup, busy_admin_port_fails_fast_with_a_reason) {
  auto first_config = write_temp_file("first.yaml", minimal_config());
  subprocess first({binary_path("meshwatch"), "run", "--config", first_config});
  auto port = start_and_get_port(first);
  ASSERT_NE(port, 0) << first.console();

  auto config = minimal_config();
  config.replace(config.find("127.0.0.1:0"), 11, "127.0.0.1:" + std::to_string(port));
  auto second_config = write_temp_file("second.yaml", config);
  subprocess second({binary_path("meshwatch"), "run", "--config", second_config});
  auto status = second.wait_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 1);
  EXPECT_TRUE(second.wait_for_line(stream::err, "cannot listen on 127.0.0.1:" + std::to_string(port), 1s))
      << second.console();
}

}  // namespace
}  // namespace meshwatch::test

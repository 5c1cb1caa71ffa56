#include "tests/e2e/watch/watch_test_harness.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

std::filesystem::path fresh_directory() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("meshwatch-watch-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

/** Complete once the twin wrote it (it renames into place). */
std::optional<twin_ports> read_twin_ports(const std::filesystem::path& path) {
  static const std::regex http(R"("http":(\d+))");
  static const std::regex control(R"("control":(\d+))");
  static const std::regex pid(R"("pid":(\d+))");
  auto text = read_file(path);
  std::smatch h;
  std::smatch c;
  std::smatch p;
  if (!std::regex_search(text, h, http) || !std::regex_search(text, c, control) ||
      !std::regex_search(text, p, pid)) {
    return std::nullopt;
  }
  return twin_ports{static_cast<unsigned short>(std::stoi(h[1])),
                    static_cast<unsigned short>(std::stoi(c[1])), std::stoi(p[1])};
}

namespace {

std::string config_text(const std::filesystem::path& dir, unsigned short http_port, unsigned short ws_port,
                        const watch_setup& setup) {
  auto in_dir = [&dir](std::string text) {
    static const std::string placeholder = "@DIR@";
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at)) {
      text.replace(at, placeholder.size(), dir.string());
    }
    return text;
  };
  std::string watched;
  if (!setup.process.empty() || setup.no_process) {
    if (!setup.process.empty()) {
      watched += "    process: " + in_dir(setup.process) + "\n";
    }
    if (!setup.console.empty()) {
      watched += "    console: " + in_dir(setup.console) + "\n";
    }
  } else {
    watched =
        "    process:\n"
        "      exec: ['" +
        binary_path("mesher-twin") + "', --mode, fixed, --control-listen, '127.0.0.1:0', --ports-file, '" +
        (dir / "ports.json").string() +
        "']\n"
        "      start_grace: 20s\n"
        "    console: { child: true }\n";
  }
  // The fast-path probe runs often, so readiness (listening line + passing probe) comes quickly.
  std::string admin = "admin:\n  listen: 127.0.0.1:0\n";
  if (!setup.admin_token.empty()) {
    admin += "  bearer_token: \"" + setup.admin_token + "\"\n";
  }
  return admin +
         "defaults: { interval: 500ms, timeout: 400ms, healthy_threshold: 1, unhealthy_threshold: 2 }\n"
         "targets:\n"
         "  - name: mesher\n"
         "    http: http://127.0.0.1:" +
         std::to_string(http_port) +
         "\n"
         "    ws: ws://127.0.0.1:" +
         std::to_string(ws_port) + "\n" + watched +
         "probes:\n"
         "  - name: fast_path\n"
         "    http: { method: GET, path: /__meshwatch }\n"
         "    expect: { status: 404, body_prefix: Not Found }\n";
}

// Labels of one exposition line: `name{a="x",b="y"} 1` → {a:x, b:y}; values carry no quotes here.
bool labels_match(const std::string& braces, const std::map<std::string, std::string>& wanted) {
  for (const auto& [k, v] : wanted) {
    if (braces.find(k + "=\"" + v + "\"") == std::string::npos) return false;
  }
  return true;
}

template <typename F>
void for_each_series(const std::string& exposition, const std::string& name,
                     const std::map<std::string, std::string>& labels, F&& f) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || !line.starts_with(name)) continue;
    auto rest = line.substr(name.size());
    std::string braces;
    if (rest.starts_with("{")) {
      // Label values may hold braces (route templates: ${project_id}); the set ends at the last.
      auto close = rest.rfind('}');
      if (close == std::string::npos) continue;
      braces = rest.substr(0, close + 1);
      rest = rest.substr(close + 1);
    } else if (!rest.starts_with(" ")) {
      continue;  // a longer name with the same prefix
    }
    if (!labels_match(braces, labels)) continue;
    f(std::stod(rest));
  }
}

}  // namespace

std::vector<int> connect_loopback_clients(unsigned short port, std::size_t n) {
  std::vector<int> fds;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (std::size_t i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // The kernel completes the handshake for the listen backlog, accepted or not.
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      fds.push_back(fd);
    } else if (fd >= 0) {
      ::close(fd);
    }
  }
  return fds;
}

unsigned short pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  unsigned short port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::optional<double> metric_value(const std::string& exposition, const std::string& name,
                                   const std::map<std::string, std::string>& labels) {
  std::optional<double> found;
  for_each_series(exposition, name, labels, [&](double v) {
    if (!found) found = v;
  });
  return found;
}

double metric_sum(const std::string& exposition, const std::string& name,
                  const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for_each_series(exposition, name, labels, [&](double v) { sum += v; });
  return sum;
}

watched_twin::watched_twin(std::map<std::string, std::string> extra_env, std::string extra_probes)
    : watched_twin(watch_setup{std::move(extra_env), std::move(extra_probes), "", false, "", ""}) {}

watched_twin::watched_twin(watch_setup setup)
    : extra_probes_(std::move(setup.extra_probes)), setup_(std::move(setup)), dir_(fresh_directory()) {
  http_port_ = pick_free_port();
  ws_port_ = pick_free_port();
  env_ = {{"MESHER_HTTP_PORT", std::to_string(http_port_)},
          {"MESHER_WS_PORT", std::to_string(ws_port_)},
          {"MESHER_TWIN_DSN", postgres_dsn()},
          {"MESHER_TWIN_INTERVALS", "load=200ms,health=400ms,alert=1s"},
          {"STATE_DIRECTORY", dir_.string()}};
  for (auto& [k, v] : setup_.extra_env) env_[k] = v;
}

watched_twin::~watched_twin() {
  meshwatch_.reset();  // SIGKILL if still running; the twin follows by its parent-death signal
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool watched_twin::start_ready(std::string& why, std::chrono::milliseconds timeout) {
  if (!start(why)) {
    why += "\n" + console();
    return false;
  }
  std::string last;
  if (!wait_metric(
          "meshwatch_target_ready", {{"target", "mesher"}},
          [](std::optional<double> v) { return v && *v == 1; }, timeout, &last)) {
    why = "not ready within the timeout\n" + last + "\n" + console();
    return false;
  }
  return true;
}

bool watched_twin::start(std::string& why) {
  if (http_port_ == 0 || ws_port_ == 0) {
    why = "no free port";
    return false;
  }
  auto config = dir_ / "meshwatch.yaml";
  std::ofstream(config) << config_text(dir_, http_port_, ws_port_, setup_) << extra_probes_;
  meshwatch_ = std::make_unique<subprocess>(
      std::vector<std::string>{binary_path("meshwatch"), "run", "--config", config.string()}, env_);

  static const std::regex listening(R"(admin server listening on http://127\.0\.0\.1:(\d+))");
  auto line = meshwatch_->wait_for_line(
      stream::err, [](const std::string& l) { return std::regex_search(l, listening); }, 15s);
  if (!line) {
    why = "meshwatch did not report its admin port";
    return false;
  }
  std::smatch m;
  std::regex_search(*line, m, listening);
  admin_port_ = static_cast<unsigned short>(std::stoi(m[1]));
  if (!setup_.process.empty() || setup_.no_process) {
    return true;  // the test runs Mesher (or none) itself
  }

  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto p = read_twin_ports(dir_ / "ports.json")) {
      ports_ = *p;
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  why = "the twin wrote no ports file";
  return false;
}

std::string watched_twin::admin_get(const std::string& target) const {
  http_request req;
  req.target = target;
  if (!setup_.admin_token.empty()) {
    req.headers["Authorization"] = "Bearer " + setup_.admin_token;
  }
  auto res = http_call("127.0.0.1", admin_port_, req, 3s);
  return res && res->status == 200 ? res->body : std::string();
}

std::string watched_twin::scrape() const { return admin_get("/metrics"); }

std::string watched_twin::status() const { return admin_get("/status"); }

bool watched_twin::wait_metric(const std::string& name, const std::map<std::string, std::string>& labels,
                               const std::function<bool(std::optional<double>)>& accept,
                               std::chrono::milliseconds timeout, std::string* last) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto body = scrape();
    if (last != nullptr) *last = body;
    if (!body.empty() && accept(metric_value(body, name, labels))) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

bool watched_twin::wait_status(const std::function<bool(const std::string&)>& accept,
                               std::chrono::milliseconds timeout, std::string* last) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto body = status();
    if (last != nullptr) *last = body;
    if (!body.empty() && accept(body)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

int post_fault(unsigned short control_port, const std::string& name, const std::string& query) {
  http_request req;
  req.method = "POST";
  req.target = "/fault/" + name + (query.empty() ? "" : "?" + query);
  auto res = http_call("127.0.0.1", control_port, req, 3s);
  // segv, panic and exit0 answer, then die: a missing answer is not an error for them.
  return res ? res->status : 0;
}

int watched_twin::fault(const std::string& name, const std::string& query) const {
  return post_fault(ports_.control, name, query);
}

std::string watched_twin::console() const { return meshwatch_ ? meshwatch_->console() : std::string(); }

}  // namespace meshwatch::test

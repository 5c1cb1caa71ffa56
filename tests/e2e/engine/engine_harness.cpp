#include "tests/e2e/engine/engine_harness.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string unique_name(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// The catalogue's durations: a number and one unit (ms, s, m, h).
milliseconds parse_duration(const std::string& text) {
  static const std::regex one(R"(^\s*(\d+)(ms|s|m|h)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, one)) {
    throw std::runtime_error("unexpected duration in the catalogue: " + text);
  }
  const long n = std::stol(m[1]);
  if (m[2] == "ms") return milliseconds{n};
  if (m[2] == "s") return std::chrono::seconds{n};
  if (m[2] == "m") return std::chrono::minutes{n};
  return std::chrono::hours{n};
}

std::string format_ms(milliseconds d) { return std::to_string(d.count()) + "ms"; }

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at == std::string::npos) {
    throw std::runtime_error("the default config no longer contains: " + from);
  }
  text.replace(at, from.size(), to);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::set<std::string> parse_tags(const std::string& list) {
  std::set<std::string> tags;  // from `[risky, budget, mutating]`
  static const std::regex word(R"([a-z_]+)");
  for (std::sregex_iterator it(list.begin(), list.end(), word), end; it != end; ++it) tags.insert(it->str());
  return tags;
}

std::string printed_default_config() {
  subprocess printer({binary_path("meshwatch"), "print-default-config"});
  auto status = printer.wait_exit(20s);
  if (!status || status->signaled || status->code != 0) {
    throw std::runtime_error("meshwatch print-default-config failed:\n" + printer.console());
  }
  std::string text;
  for (const auto& line : printer.lines(stream::out)) text += line + "\n";
  return text;
}

// Everything before `probes:`: admin on an ephemeral port, shortened defaults, the target
// pointed at the twin and `dsn`, and no process watcher (the twin is the test's child).
std::string rewrite_settings(std::string head, unsigned short http_port, unsigned short ws_port,
                             const std::string& dsn, const catalogue_options& options) {
  replace_once(head, "  listen: 127.0.0.1:9847\n", "  listen: 127.0.0.1:0\n");
  replace_once(head, "defaults:\n  interval: 15s\n  timeout: 5s\n",
               "defaults:\n  interval: " + format_ms(options.interval) +
                   "\n  timeout: " + format_ms(options.timeout) + "\n");
  replace_once(head, "    http: http://127.0.0.1:8080\n",
               "    http: http://127.0.0.1:" + std::to_string(http_port) + "\n");
  replace_once(head, "    ws: ws://127.0.0.1:8081\n",
               "    ws: ws://127.0.0.1:" + std::to_string(ws_port) + "\n");
  replace_once(head, "      dsn: postgres://mesh:mesh@127.0.0.1:5432/mesher\n",
               "      dsn: \"" + dsn + "\"\n");
  std::string out;
  bool dropped_process = false;
  for (const auto& line : split_lines(head)) {
    if (line == "    process:" || line.starts_with("      match: ")) {
      dropped_process = true;
      continue;
    }
    out += line + "\n";
  }
  if (!dropped_process) throw std::runtime_error("the default config no longer has a process: section");
  return out;
}

}  // namespace

std::vector<catalogue_probe> catalogue::enabled() const {
  std::vector<catalogue_probe> out;
  std::copy_if(probes.begin(), probes.end(), std::back_inserter(out),
               [](const auto& p) { return p.enabled; });
  return out;
}

catalogue shortened_catalogue(unsigned short http_port, unsigned short ws_port, const std::string& dsn,
                              const catalogue_options& options) {
  const std::string printed = printed_default_config();
  const auto probes_at = printed.find("\nprobes:\n");
  if (probes_at == std::string::npos) throw std::runtime_error("the default config has no probes: section");

  catalogue out;
  out.yaml = rewrite_settings(printed.substr(0, probes_at + 1), http_port, ws_port, dsn, options);
  out.yaml += "probes:\n";

  // Line by line: a probe starts at `  - name:`; its own keys are indented by four spaces
  // (steps and expectations deeper). Each probe's lines are buffered so that `enabled: false`
  // can be appended once its tags are known.
  static const std::regex kind_line(R"(^    (http|ws|pg|pipeline):)");
  std::optional<catalogue_probe> current;
  std::string buffered;
  auto flush = [&] {
    if (current) {
      if (current->timeout.count() == 0) {
        current->timeout = options.timeout;
        current->interval = options.interval;
      }
      for (const auto& tag : options.disable_tags) {
        if (current->tagged(tag)) current->enabled = false;
      }
      if (!current->enabled) buffered += "    enabled: false\n";
      if (current->kind.empty()) throw std::runtime_error("probe " + current->name + " has no kind");
      out.probes.push_back(*current);
    }
    out.yaml += buffered;
    buffered.clear();
  };
  for (const auto& line : split_lines(printed.substr(probes_at + 9))) {
    if (line.starts_with("  - name: ")) {
      flush();
      current = catalogue_probe{};
      current->name = line.substr(10);
      buffered += line + "\n";
      continue;
    }
    if (current) {
      std::smatch m;
      if (line.starts_with("    interval: ")) {
        continue;  // replaced below, from the timeout
      }
      if (line.starts_with("    timeout: ")) {
        current->timeout = parse_duration(line.substr(13));
        current->interval = std::max(current->timeout, options.interval);
        buffered += line + "\n    interval: " + format_ms(current->interval) + "\n";
        continue;
      }
      if (line.starts_with("    tags: ")) {
        current->tags = parse_tags(line.substr(10));
      } else if (std::regex_search(line, m, kind_line)) {
        current->kind = m[1];
      }
    }
    buffered += line + "\n";
  }
  flush();
  if (out.probes.empty()) throw std::runtime_error("no probes found in the default config");
  return out;
}

int run_pg_script(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv{std::string(MESHWATCH_SOURCE_DIR) + "/scripts/pg"};
  argv.insert(argv.end(), args.begin(), args.end());
  subprocess pg(argv);
  auto status = pg.wait_exit(60s);
  if (output != nullptr) *output = pg.console();
  if (!status || status->signaled) return -1;
  return status->code;
}

private_cluster::private_cluster()
    // Under /tmp: the postgres account must be able to reach it (scripts/pg runs as it under root).
    : dir_((std::filesystem::temp_directory_path() / unique_name("meshwatch-engine-pg-")).string()) {}

private_cluster::~private_cluster() { run_pg_script({"stop", dir_}); }

bool private_cluster::start(std::string& why) {
  if (run_pg_script({"start", dir_}, &why) != 0) return false;
  dsn_ = read_all(std::filesystem::path(dir_) / "dsn");
  dsn_.erase(dsn_.find_last_not_of(" \n") + 1);
  return !dsn_.empty();
}

bool private_cluster::pause(std::string& why) { return run_pg_script({"pause", dir_}, &why) == 0; }

bool private_cluster::resume(std::string& why) { return run_pg_script({"resume", dir_}, &why) == 0; }

bool sql_on(const std::string& dsn, const std::string& sql, std::string& why) {
  subprocess psql({"/usr/bin/psql", "-v", "ON_ERROR_STOP=1", "-q", dsn, "-c", sql});
  auto status = psql.wait_exit(30s);
  why = psql.console();
  return status && !status->signaled && status->code == 0;
}

catalogue_run::catalogue_run(std::string dsn, catalogue_options options)
    : dsn_(std::move(dsn)),
      options_(std::move(options)),
      dir_(std::filesystem::temp_directory_path() / unique_name("meshwatch-engine-e2e-")) {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

catalogue_run::~catalogue_run() {
  meshwatch_.reset();  // SIGKILL if still running
  twin_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool catalogue_run::start(std::string& why) {
  auto ports_file = dir_ / "ports.json";
  twin_ = std::make_unique<subprocess>(
      std::vector<std::string>{binary_path("mesher-twin"), "--mode", "fixed", "--ports-file",
                               ports_file.string()},
      std::map<std::string, std::string>{
          {"MESHER_TWIN_DSN", dsn_}, {"MESHER_HTTP_PORT", "0"}, {"MESHER_WS_PORT", "0"}});
  // The twin creates Mesher's schema before it listens, so seeding finds its tables.
  if (!twin_->wait_for_line(stream::err, "HTTP server listening on", 30s)) {
    why = "the twin did not start:\n" + twin_->console();
    return false;
  }
  static const std::regex http(R"("http":(\d+))");
  static const std::regex ws(R"("ws":(\d+))");
  const auto ports = read_all(ports_file);
  std::smatch h;
  std::smatch w;
  if (!std::regex_search(ports, h, http) || !std::regex_search(ports, w, ws)) {
    why = "the twin wrote no ports: " + ports;
    return false;
  }
  try {
    catalogue_ = shortened_catalogue(static_cast<unsigned short>(std::stoi(h[1])),
                                     static_cast<unsigned short>(std::stoi(w[1])), dsn_, options_);
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
  auto config = dir_ / "meshwatch.yaml";
  std::ofstream(config) << catalogue_.yaml;
  meshwatch_ = std::make_unique<subprocess>(
      std::vector<std::string>{binary_path("meshwatch"), "run", "--config", config.string()},
      std::map<std::string, std::string>{{"STATE_DIRECTORY", dir_.string()}});

  static const std::regex listening(R"(admin server listening on http://127\.0\.0\.1:(\d+))");
  auto line = meshwatch_->wait_for_line(
      stream::err, [](const std::string& l) { return std::regex_search(l, listening); }, 20s);
  if (!line) {
    why = "meshwatch did not report its admin port:\n" + meshwatch_->console();
    return false;
  }
  const auto listening_at = std::chrono::steady_clock::now();
  std::smatch m;
  std::regex_search(*line, m, listening);
  admin_port_ = static_cast<unsigned short>(std::stoi(m[1]));
  // Logged right after the probe engine started (daemon.cpp): the instant the first
  // intervals count from. Seeding may take up to its 15 s timeout before it.
  if (!meshwatch_->wait_for_line(stream::err, "probing 1 target(s) with", 40s)) {
    why = "meshwatch did not begin probing:\n" + meshwatch_->console();
    return false;
  }
  probing_since_ = std::chrono::steady_clock::now();
  seeding_took_ = std::chrono::duration_cast<milliseconds>(probing_since_ - listening_at);
  return true;
}

std::string catalogue_run::scrape() const {
  auto res = http_get("127.0.0.1", admin_port_, "/metrics", 3s);
  return res && res->status == 200 ? res->body : std::string();
}

std::string catalogue_run::status() const {
  auto res = http_get("127.0.0.1", admin_port_, "/status", 3s);
  return res && res->status == 200 ? res->body : std::string();
}

std::string catalogue_run::console() const { return meshwatch_ ? meshwatch_->console() : std::string(); }

std::string catalogue_run::twin_console() const { return twin_ ? twin_->console() : std::string(); }

bool promtool_accepts(const std::string& exposition, std::string& output) {
  auto path = std::filesystem::temp_directory_path() / unique_name("meshwatch-engine-scrape-");
  std::ofstream(path) << exposition;
  subprocess promtool({"/bin/sh", "-c", "promtool check metrics < '" + path.string() + "'"});
  auto status = promtool.wait_exit(30s);
  output = promtool.console();
  std::filesystem::remove(path);
  return status && !status->signaled && status->code == 0;
}

}  // namespace meshwatch::test

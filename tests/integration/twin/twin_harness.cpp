#include "tests/integration/twin/twin_harness.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_postgres.hpp"

namespace meshwatch::twin_test {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

int port_from(const std::string& json, const std::string& key) {
  std::smatch m;
  std::regex re("\"" + key + "\":(\\d+)");
  return std::regex_search(json, m, re) ? std::stoi(m[1]) : 0;
}

}  // namespace

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string fresh_uuid() {
  static std::mutex mutex;
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<unsigned long>(::getpid()));
  std::lock_guard lock(mutex);
  char buf[40];
  unsigned long long a = rng(), b = rng();
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-8%03llx-%012llx", a >> 32, (a >> 16) & 0xffff,
                a & 0xfff, b >> 52 & 0xfff, b & 0xffffffffffffULL);
  return buf;
}

twin::pg_pool& database() {
  static twin::pg_pool pool(test::postgres_dsn(), 4, std::chrono::milliseconds(10000));
  return pool;
}

twin_process::twin_process(twin_config config) {
  static std::atomic<int> counter{0};
  ports_file_ =
      "/tmp/mesher-twin-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".json";
  ::unlink(ports_file_.c_str());
  std::map<std::string, std::string> env{{"MESHER_HTTP_PORT", "0"},
                                         {"MESHER_WS_PORT", "0"},
                                         {"MESHER_TWIN_DSN", test::postgres_dsn()},
                                         {"MESHER_TWIN_INTERVALS", "load=5s,health=10s,alert=30s"}};
  for (auto& [k, v] : config.env) env[k] = v;
  proc_ = std::make_unique<test::subprocess>(
      std::vector<std::string>{test::binary_path("mesher-twin"), "--mode", config.mode, "--control-listen",
                               "127.0.0.1:0", "--ports-file", ports_file_},
      env);
  if (!config.wait_ready) return;
  auto ready = proc_->wait_for_line(test::stream::err, "[mesh-rt] HTTP server listening on 0.0.0.0:", 30s);
  if (!ready) throw std::runtime_error("twin not ready:\n" + proc_->console());
  std::ifstream in(ports_file_);
  std::stringstream text;
  text << in.rdbuf();
  http_port_ = static_cast<unsigned short>(port_from(text.str(), "http"));
  ws_port_ = static_cast<unsigned short>(port_from(text.str(), "ws"));
  control_port_ = static_cast<unsigned short>(port_from(text.str(), "control"));
  ::unlink(ports_file_.c_str());
  if (http_port_ == 0 || control_port_ == 0) throw std::runtime_error("bad ports file: " + text.str());
}

twin_process::~twin_process() {
  proc_.reset();  // kills the twin first, so it cannot write the file again
  ::unlink(ports_file_.c_str());
  ::unlink((ports_file_ + ".tmp").c_str());
}

std::optional<test::http_response> twin_process::call(const std::string& method, const std::string& target,
                                                      const std::string& body,
                                                      std::map<std::string, std::string> headers,
                                                      std::chrono::milliseconds timeout) {
  test::http_request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.headers = std::move(headers);
  return test::http_call("127.0.0.1", http_port_, req, timeout);
}

std::optional<std::string> twin_process::raw(const std::string& bytes, std::chrono::milliseconds timeout) {
  return test::raw_exchange("127.0.0.1", http_port_, bytes, timeout);
}

std::optional<std::string> twin_process::raw_half_close(const std::string& bytes,
                                                        std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(http_port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  }
  if (!bytes.empty()) ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return received;
}

int twin_process::control(const std::string& target) {
  test::http_request req;
  req.method = "POST";
  req.target = target;
  auto r = test::http_call("127.0.0.1", control_port_, req, 5s);
  return r ? r->status : 0;
}

std::optional<test::http_response> twin_process::control_get(const std::string& target) {
  return test::http_get("127.0.0.1", control_port_, target, 5s);
}

tenant seed_tenant() { return seed_tenant(database()); }

tenant seed_tenant(twin::pg_pool& db) {
  tenant t;
  t.org = fresh_uuid();
  t.user_a = fresh_uuid();
  t.user_b = fresh_uuid();
  t.project = fresh_uuid();
  t.project_sampled = fresh_uuid();
  t.slug = "probe-" + t.project.substr(0, 8);
  t.key = "mshr_test" + replace_all(fresh_uuid(), "-", "");
  t.key_sampled = "mshr_test" + replace_all(fresh_uuid(), "-", "");
  t.key_id = fresh_uuid();
  t.issue_a = fresh_uuid();
  t.issue_b = fresh_uuid();
  t.e1 = fresh_uuid();
  t.e2 = fresh_uuid();
  t.e3 = fresh_uuid();
  t.rule = fresh_uuid();
  t.alert = fresh_uuid();
  t.membership = fresh_uuid();
  std::string sql = R"SQL(
INSERT INTO organizations (id,name,slug) VALUES ('@O','Synthetic Probe Org','org-@O');
INSERT INTO users (id,email,password_hash,display_name) VALUES
 ('@UA','a-@UA@synthetic.invalid','x','Probe A'), ('@UB','b-@UB@synthetic.invalid','x','Probe B');
INSERT INTO projects (id,org_id,name,platform,slug,retention_days,sample_rate) VALUES
 ('@P','@O','Synthetic Probe','probe','@SLUG',90,1),
 ('@PS','@O','Synthetic Probe Sampled','probe',NULL,90,0);
INSERT INTO api_keys (id,project_id,key_value,label) VALUES
 ('@KID','@P','@K','synthetic'), (gen_random_uuid(),'@PS','@KS','synthetic');
INSERT INTO org_memberships (id,user_id,org_id,role) VALUES ('@M','@UA','@O','member');
INSERT INTO alert_rules (id,project_id,name,condition_json,action_json,enabled,cooldown_minutes) VALUES
 ('@R','@P','synthetic-noop','{"condition_type":"synthetic-noop"}','{"type":"websocket"}',true,60);
INSERT INTO issues (id,project_id,fingerprint,title,level,status,event_count,last_seen) VALUES
 ('@IA','@P','synthetic:probe-a','synthetic probe issue','error','unresolved',2, now() - interval '1 minute'),
 ('@IB','@P','synthetic:probe-b','synthetic probe doomed','error','unresolved',1, now());
INSERT INTO events (id,project_id,issue_id,level,message,fingerprint,tags,received_at) VALUES
 ('@E1','@P','@IA','error','synthetic probe event one','synthetic:probe-a','{"probe":"synthetic"}',now()-interval '2 minutes'),
 ('@E2','@P','@IA','error','synthetic probe event two','synthetic:probe-a','{"probe":"synthetic"}',now()-interval '1 minute'),
 ('@E3','@P','@IB','error','synthetic probe event three','synthetic:probe-b','{"probe":"synthetic"}',now());
INSERT INTO alerts (id,rule_id,project_id,status,message,condition_snapshot) VALUES
 ('@AL','@R','@P','active','synthetic probe alert','{"condition_type":"synthetic-noop"}');
)SQL";
  // Longest placeholders first (@PS before @P, @KID/@KS before @K).
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{{"@SLUG", t.slug},
                                                                      {"@KID", t.key_id},
                                                                      {"@KS", t.key_sampled},
                                                                      {"@PS", t.project_sampled},
                                                                      {"@UA", t.user_a},
                                                                      {"@UB", t.user_b},
                                                                      {"@IA", t.issue_a},
                                                                      {"@IB", t.issue_b},
                                                                      {"@E1", t.e1},
                                                                      {"@E2", t.e2},
                                                                      {"@E3", t.e3},
                                                                      {"@AL", t.alert},
                                                                      {"@O", t.org},
                                                                      {"@P", t.project},
                                                                      {"@K", t.key},
                                                                      {"@R", t.rule},
                                                                      {"@M", t.membership}}) {
    sql = replace_all(sql, k, v);
  }
  auto r = db.script(sql);
  if (!r.ok()) throw std::runtime_error("seed failed: " + *r.error);
  return t;
}

}  // namespace meshwatch::twin_test

#pragma once
// mesher-twin as a real process for the tests: ephemeral ports (read from --ports-file), the
// fixture PostgreSQL, short heartbeat intervals, and a synthetic tenant with fresh UUIDs per
// test so tests can share one database and run in parallel.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/twin/pg.hpp"

namespace meshwatch::twin_test {

using namespace std::chrono_literals;

struct twin_config {
  std::string mode = "snapshot";
  std::map<std::string, std::string> env = {};  // overrides/extra variables
  bool wait_ready = true;
};

class twin_process {
 public:
  explicit twin_process(twin_config config = {});
  ~twin_process();
  twin_process(const twin_process&) = delete;
  twin_process& operator=(const twin_process&) = delete;

  test::subprocess& proc() { return *proc_; }
  unsigned short http_port() const { return http_port_; }
  unsigned short ws_port() const { return ws_port_; }
  unsigned short control_port() const { return control_port_; }

  std::optional<test::http_response> call(const std::string& method, const std::string& target,
                                          const std::string& body = {},
                                          std::map<std::string, std::string> headers = {},
                                          std::chrono::milliseconds timeout = 5s);
  std::optional<test::http_response> get(const std::string& target) { return call("GET", target); }
  std::optional<test::http_response> post(const std::string& target, const std::string& body = {}) {
    return call("POST", target, body);
  }
  std::optional<std::string> raw(const std::string& bytes, std::chrono::milliseconds timeout = 5s);
  /** Sends `bytes`, half-closes (shutdown SHUT_WR), returns all bytes until the server closes. */
  std::optional<std::string> raw_half_close(const std::string& bytes, std::chrono::milliseconds timeout = 5s);
  /** POST on the control port; returns the status (0 = no answer). */
  int control(const std::string& target);
  std::optional<test::http_response> control_get(const std::string& target);

 private:
  std::string ports_file_;
  std::unique_ptr<test::subprocess> proc_;
  unsigned short http_port_ = 0;
  unsigned short ws_port_ = 0;
  unsigned short control_port_ = 0;
};

/** A synthetic tenant (API.md §6.1) with fresh ids. */
struct tenant {
  std::string org, user_a, user_b, project, project_sampled, slug;
  std::string key, key_sampled, key_id;
  std::string issue_a, issue_b, e1, e2, e3, rule, alert, membership;
};

/** Seeds it (the twin must have created the schema: start a twin first). */
tenant seed_tenant();
/** The same in another database, e.g. a test::scratch_database the twin was pointed at. */
tenant seed_tenant(twin::pg_pool& db);

/** Shared connection to the fixture database, for seeding and checking writes. */
twin::pg_pool& database();
std::string fresh_uuid();

/** Splits `{"a":…}` style bodies; small checks without a JSON parser (bodies may be invalid JSON). */
bool contains(const std::string& haystack, const std::string& needle);

}  // namespace meshwatch::twin_test

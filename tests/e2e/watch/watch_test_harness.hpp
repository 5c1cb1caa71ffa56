#pragma once
// `meshwatch run` with the Mesher twin as its exec child (console on the child's pipes) — or
// watching a pidfile/match/console file while the test runs the twin itself — a throwaway
// directory for the config, the twin's ports file and meshwatch's STATE_DIRECTORY, and the
// bounded waits the tests use on /metrics and /status.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/subprocess.hpp"

namespace meshwatch::test {

/** A TCP port that was free a moment ago (bound on 0.0.0.0:0, then closed). */
unsigned short pick_free_port();

/**
 * The value of the first series of `name` whose labels include every `labels` pair, from a
 * text exposition; nullopt when there is none.
 */
std::optional<double> metric_value(const std::string& exposition, const std::string& name,
                                   const std::map<std::string, std::string>& labels = {});
/** The sum over every matching series (e.g. all `kind`s of a counter). */
double metric_sum(const std::string& exposition, const std::string& name,
                  const std::map<std::string, std::string>& labels = {});

struct twin_ports {
  unsigned short http = 0;
  unsigned short control = 0;
  int pid = 0;
};

/** Up to `n` TCP connections to 127.0.0.1:`port` (fewer if connects fail); the caller closes them. */
std::vector<int> connect_loopback_clients(unsigned short port, std::size_t n);

/** `{"http":N,"ws":N,"control":N,"pid":N}` written by the twin (`--ports-file`); nullopt until complete. */
std::optional<twin_ports> read_twin_ports(const std::filesystem::path& path);

/** POST /fault/<name>[?query] on a twin's control port; the HTTP status, 0 on no answer. */
int post_fault(unsigned short control_port, const std::string& name, const std::string& query = "");

/**
 * What the one target of `meshwatch run` watches. The defaults are the original harness: the
 * twin as meshwatch's exec child with its console on the child's pipes.
 */
struct watch_setup {
  /** Extra environment for meshwatch (and so for an exec twin), on top of the defaults. */
  std::map<std::string, std::string> extra_env;
  /** YAML list items appended under `probes:` (after the fast-path probe). */
  std::string extra_probes;
  /**
   * The target's `process:` value as YAML flow text, e.g. `{ pidfile: '/x/mesher.pid' }`; the
   * test then runs Mesher itself. Empty: the exec child (unless `no_process`). `@DIR@` here and
   * in `console` stands for the test's directory (dir()).
   */
  std::string process;
  /** Watch no process at all (a console-only target). */
  bool no_process = false;
  /** The target's `console:` with `process` or `no_process`, e.g. `{ file: '/x/m.log' }`; empty: none. */
  std::string console;
  /** `admin.bearer_token`; scrape() and status() then send it. Empty: no token. */
  std::string admin_token;
};

class watched_twin {
 public:
  /** Extra environment for meshwatch (and so for the twin), on top of the defaults. */
  explicit watched_twin(std::map<std::string, std::string> extra_env = {}, std::string extra_probes = "");
  explicit watched_twin(watch_setup setup);
  ~watched_twin();

  /**
   * Starts meshwatch; false (with `why`) unless the admin port appears, and for the exec child
   * its ports file too.
   */
  bool start(std::string& why);
  /** start(), then waits up to `timeout` for meshwatch_target_ready 1; `why` says what was missing. */
  bool start_ready(std::string& why, std::chrono::milliseconds timeout);

  unsigned short admin_port() const { return admin_port_; }
  /** The ports in the target's `http:`/`ws:` URLs (MESHER_HTTP_PORT / MESHER_WS_PORT). */
  unsigned short http_port() const { return http_port_; }
  unsigned short ws_port() const { return ws_port_; }
  /** The environment a twin started by the test needs (ports, DSN, heartbeat intervals). */
  const std::map<std::string, std::string>& environment() const { return env_; }
  const twin_ports& ports() const { return ports_; }
  const std::filesystem::path& dir() const { return dir_; }
  subprocess& meshwatch() { return *meshwatch_; }

  std::string scrape() const;
  std::string status() const;

  /**
   * Polls /metrics every 100 ms until `accept` holds for the value (nullopt: no series) or the
   * timeout passes; returns whether it held. `last` gets the last scrape for failure messages.
   */
  bool wait_metric(const std::string& name, const std::map<std::string, std::string>& labels,
                   const std::function<bool(std::optional<double>)>& accept,
                   std::chrono::milliseconds timeout, std::string* last = nullptr) const;
  bool wait_status(const std::function<bool(const std::string&)>& accept, std::chrono::milliseconds timeout,
                   std::string* last = nullptr) const;

  /** POST /fault/<name>[?query] on the twin's control port; the HTTP status, 0 on no answer. */
  int fault(const std::string& name, const std::string& query = "") const;

  /** Everything meshwatch printed (the twin's console is read by meshwatch, not shown). */
  std::string console() const;

 private:
  /** GET on the admin server (with the token when set): the body of a 200, else empty. */
  std::string admin_get(const std::string& target) const;

  std::map<std::string, std::string> env_;
  std::string extra_probes_;  // YAML list items appended under `probes:`
  watch_setup setup_;
  std::filesystem::path dir_;
  unsigned short http_port_ = 0;
  unsigned short ws_port_ = 0;
  unsigned short admin_port_ = 0;
  twin_ports ports_;
  std::unique_ptr<subprocess> meshwatch_;
};

}  // namespace meshwatch::test

#pragma once
// `meshwatch run` with the Mesher twin as its exec child (console on the child's pipes), a
// throwaway directory for the config, the twin's ports file and meshwatch's STATE_DIRECTORY,
// and the bounded waits the tests use on /metrics and /status.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

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

class watched_twin {
 public:
  /** Extra environment for meshwatch (and so for the twin), on top of the defaults. */
  explicit watched_twin(std::map<std::string, std::string> extra_env = {}, std::string extra_probes = "");
  ~watched_twin();

  /** Starts meshwatch; false (with `why`) unless the admin port and the twin's ports appear. */
  bool start(std::string& why);

  unsigned short admin_port() const { return admin_port_; }
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
  std::map<std::string, std::string> env_;
  std::string extra_probes_;  // YAML list items appended under `probes:`
  std::filesystem::path dir_;
  unsigned short http_port_ = 0;
  unsigned short ws_port_ = 0;
  unsigned short admin_port_ = 0;
  twin_ports ports_;
  std::unique_ptr<subprocess> meshwatch_;
};

}  // namespace meshwatch::test

#pragma once
// `meshwatch run` with the full default catalogue against the Mesher twin (a separate process,
// fixed mode), both on a PostgreSQL the test chooses: the catalogue comes from
// `meshwatch print-default-config`, pointed at the twin, with its intervals shortened so that a
// test sees every probe run within seconds.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/support/subprocess.hpp"

namespace meshwatch::test {

/** One probe of the catalogue as the test config runs it. */
struct catalogue_probe {
  std::string name;
  std::string kind;  // http | ws | pg | pipeline
  std::chrono::milliseconds interval{};
  std::chrono::milliseconds timeout{};
  std::set<std::string> tags;
  bool enabled = true;

  bool tagged(const std::string& tag) const { return tags.contains(tag); }
};

struct catalogue_options {
  /** Interval of every probe whose own timeout fits in it (the rest: interval = timeout). */
  std::chrono::milliseconds interval{std::chrono::seconds{3}};
  /** Timeout of the probes that have none of their own. */
  std::chrono::milliseconds timeout{std::chrono::seconds{2}};
  /** Probes with any of these tags get `enabled: false`. */
  std::set<std::string> disable_tags;
};

struct catalogue {
  std::string yaml;
  std::vector<catalogue_probe> probes;  // in catalogue order, disabled ones included

  std::vector<catalogue_probe> enabled() const;
};

/**
 * The default catalogue pointed at `http_port`/`ws_port` and `dsn`, admin on an ephemeral
 * port, no process watcher. Throws std::runtime_error when the printed config no longer has
 * the shape this rewrite expects (so a catalogue change is noticed, not silently ignored).
 */
catalogue shortened_catalogue(unsigned short http_port, unsigned short ws_port, const std::string& dsn,
                              const catalogue_options& options);

/** `scripts/pg <args…>`; its exit code (-1 when it did not finish within 60 s). */
int run_pg_script(const std::vector<std::string>& args, std::string* output = nullptr);

/** A PostgreSQL cluster of the test's own (scripts/pg start/pause/resume/stop). */
class private_cluster {
 public:
  private_cluster();
  ~private_cluster();  // scripts/pg stop: server stopped, directory removed
  bool start(std::string& why);
  bool pause(std::string& why);
  bool resume(std::string& why);
  const std::string& dsn() const { return dsn_; }

 private:
  std::string dir_;
  std::string dsn_;
};

/** SQL as Mesher's user on `dsn` (psql), e.g. to leave what an interrupted probe run would. */
bool sql_on(const std::string& dsn, const std::string& sql, std::string& why);

/** mesher-twin (fixed mode) on `dsn`, then `meshwatch run` with the shortened catalogue. */
class catalogue_run {
 public:
  catalogue_run(std::string dsn, catalogue_options options);
  ~catalogue_run();

  /** Starts both; false with `why` unless the twin listens and meshwatch has begun probing. */
  bool start(std::string& why);

  const catalogue& config() const { return catalogue_; }
  /** When meshwatch logged that probing began (after the first fixture seeding). */
  std::chrono::steady_clock::time_point probing_since() const { return probing_since_; }
  /** From meshwatch's admin line to its "probing" line: the first fixture seeding. */
  std::chrono::milliseconds seeding_took() const { return seeding_took_; }

  std::string scrape() const;
  std::string status() const;
  std::string console() const;
  std::string twin_console() const;

 private:
  std::string dsn_;
  catalogue_options options_;
  std::filesystem::path dir_;
  catalogue catalogue_;
  unsigned short admin_port_ = 0;
  std::unique_ptr<subprocess> twin_;
  std::unique_ptr<subprocess> meshwatch_;
  std::chrono::steady_clock::time_point probing_since_{};
  std::chrono::milliseconds seeding_took_{0};
};

/** `promtool check metrics` on an exposition; false with promtool's output when it objects. */
bool promtool_accepts(const std::string& exposition, std::string& output);

}  // namespace meshwatch::test

#pragma once
// The daemon's one incident correlator, with what it needs to run: the metrics, the JSON-lines
// log, and a timer that calls tick() about once a second (sooner when next_deadline() asks).
// Every call comes from the loop thread.
//
// The log goes to `$STATE_DIRECTORY/incidents.jsonl` (systemd's StateDirectory=; the first entry
// when several are listed). Without STATE_DIRECTORY there is no log file: incidents are still
// counted, logged as they open and close, and listed on /status. Writing next to an unknown
// working directory (often `/` or a source tree) would surprise more than it helps.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/incidents/incident_correlator.hpp"

namespace boost::asio {
class io_context;
}
namespace prometheus {
class Registry;
}

namespace meshwatch {

struct incident_service_options {
  /** No value: no incident log file. */
  std::optional<std::filesystem::path> log_path;
  std::uint64_t log_max_bytes = std::uint64_t{10} * 1024 * 1024;
  std::size_t log_rotated_files = 5;
  std::chrono::milliseconds tick_interval{1000};
  incident_correlator_options correlator;
};

/** `$STATE_DIRECTORY/incidents.jsonl`, or nullopt when STATE_DIRECTORY is unset or empty. */
std::optional<std::filesystem::path> incident_log_path_from(const char* state_directory);

class incident_service {
 public:
  using suspend_handler =
      std::function<void(const std::string& probe, const std::string& target, const std::string& reason)>;

  incident_service(boost::asio::io_context& io, prometheus::Registry& registry,
                   const std::vector<std::string>& targets, incident_service_options options);
  ~incident_service();
  incident_service(const incident_service&) = delete;
  incident_service& operator=(const incident_service&) = delete;

  /** Crash attribution's verdicts go here (the probe engine's suspend). */
  void set_suspend_handler(suspend_handler handler);

  void start();
  /** Stops the timer and closes every open incident, so the log holds them. */
  void stop();

  incident_correlator& correlator();
  /** `{"open":[…],"recent":[…]}` for /status. */
  std::string status_json() const;

  struct state;  // public name so the .cpp's handlers can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

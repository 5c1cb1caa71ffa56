#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/address.hpp"
#include "config/probe_config.hpp"
#include "config/secret.hpp"
#include "config/target_config.hpp"

namespace meshwatch {

/** The admin server (/metrics, /healthz, /status, /). */
struct admin_config {
  listen_address listen{"127.0.0.1", 9847};
  std::optional<secret> bearer_token;  // from bearer_token or bearer_token_file
  /** Over all connections; a burst of twice as many is allowed. Over it: 429. */
  int max_requests_per_second = 100;

  bool operator==(const admin_config&) const = default;
};

/** Scheduling and health policy shared by all probes. */
struct probe_defaults {
  std::chrono::milliseconds interval{std::chrono::seconds{15}};
  std::chrono::milliseconds timeout{std::chrono::seconds{5}};
  int healthy_threshold = 2;    // consecutive passes to become healthy
  int unhealthy_threshold = 3;  // consecutive failures to become unhealthy
  int jitter_percent = 10;      // each interval is randomised by up to ±this much
  regression_config regression;

  bool operator==(const probe_defaults&) const = default;
};

/** The incident log (DESIGN.md §8): JSON lines, rotated by size. */
struct incidents_config {
  /**
   * The live file, resolved against the config file's directory. Unset: `$STATE_DIRECTORY/
   * incidents.jsonl` when systemd sets StateDirectory=, else no file (incidents stay on /status).
   */
  std::optional<std::string> log;
  std::uint64_t max_file_bytes = std::uint64_t{10} * 1024 * 1024;
  int rotated_files = 5;  // `.1` newest … `.N` oldest; 0: the live file starts over

  bool operator==(const incidents_config&) const = default;
};

/** A whole, validated meshwatch configuration. Plain data: copy it, compare it on reload. */
struct config {
  admin_config admin;
  probe_defaults defaults;
  std::vector<target_config> targets;
  std::vector<probe_config> probes;
  incidents_config incidents;

  bool operator==(const config&) const = default;
};

}  // namespace meshwatch

#pragma once

#include <chrono>
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

  bool operator==(const admin_config&) const = default;
};

/** Scheduling and health policy shared by all probes. */
struct probe_defaults {
  std::chrono::milliseconds interval{std::chrono::seconds{15}};
  std::chrono::milliseconds timeout{std::chrono::seconds{5}};
  int healthy_threshold = 2;    // consecutive passes to become healthy
  int unhealthy_threshold = 3;  // consecutive failures to become unhealthy
  int jitter_percent = 10;      // each interval is randomised by up to ±this much

  bool operator==(const probe_defaults&) const = default;
};

/** A whole, validated meshwatch configuration. Plain data: copy it, compare it on reload. */
struct config {
  admin_config admin;
  probe_defaults defaults;
  std::vector<target_config> targets;
  std::vector<probe_config> probes;

  bool operator==(const config&) const = default;
};

}  // namespace meshwatch

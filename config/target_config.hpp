#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/address.hpp"
#include "config/fixtures.hpp"
#include "config/secret.hpp"

namespace meshwatch {

/** Mesher's PostgreSQL, for pg probes, pipeline steps and fixture seeding. */
struct database_config {
  std::string dsn;                 // postgres://… URI or libpq `key=value` string
  std::optional<secret> password;  // from password_file, read at load time
  std::string password_file;       // the resolved path, for messages; empty if none

  bool operator==(const database_config&) const = default;
};

/** How the process watcher finds Mesher: exactly one of these. */
struct process_pidfile {
  std::string path;
  bool operator==(const process_pidfile&) const = default;
};
struct process_systemd_unit {
  std::string unit;  // e.g. mesher.service; found through its cgroup, no D-Bus
  bool operator==(const process_systemd_unit&) const = default;
};
struct process_match {
  std::string pattern;  // regex on the process name / command line
  bool operator==(const process_match&) const = default;
};
struct process_exec {
  std::vector<std::string> argv;  // meshwatch runs Mesher as its child
  bool operator==(const process_exec&) const = default;
};
using process_selector = std::variant<process_pidfile, process_systemd_unit, process_match, process_exec>;

struct process_config {
  process_selector selector;
  /** After a (re)start, probe failures are tagged "starting" instead of counted, for this long. */
  std::chrono::milliseconds start_grace{std::chrono::seconds{30}};
  /** A crash loop is `crash_loop_restarts` restarts within `crash_loop_window`. */
  int crash_loop_restarts = 3;
  std::chrono::milliseconds crash_loop_window{std::chrono::minutes{5}};

  bool operator==(const process_config&) const = default;
};

/** Where Mesher's console output comes from: exactly one of these. */
struct console_file {
  std::string path;  // followed like tail -F
  bool operator==(const console_file&) const = default;
};
struct console_journald {
  std::string unit;
  bool operator==(const console_journald&) const = default;
};
struct console_child {  // the stdout/stderr pipes of a process started with process.exec
  bool operator==(const console_child&) const = default;
};
using console_config = std::variant<console_file, console_journald, console_child>;

/** How bad a user pattern's match is; the same levels as the built-in console classification. */
enum class console_pattern_severity : std::uint8_t { info, warning, error, fatal };

/**
 * A user pattern from `console.patterns`: an RE2 regex matched anywhere in each console line.
 * Its name is the `kind` label its matches are counted under in meshwatch_console_events_total.
 */
struct console_pattern {
  std::string name;
  std::string regex;
  console_pattern_severity severity = console_pattern_severity::warning;

  bool operator==(const console_pattern&) const = default;
};

/**
 * The long-lived subscriber on the synthetic project's stream (needs `ws`): it keeps the
 * connection Mesher's pushes arrive on, and proves it alive with pings between pushes.
 */
struct stream_config {
  bool enabled = true;
  /** Between the end of one keep-alive check and the next ping (Mesher's own: 30 s). */
  std::chrono::milliseconds ping_interval{std::chrono::seconds{15}};
  /** An unanswered ping after this long is `ws_no_pong`, and the subscriber reconnects. */
  std::chrono::milliseconds pong_timeout{std::chrono::seconds{5}};

  bool operator==(const stream_config&) const = default;
};

/** One Mesher deployment. */
struct target_config {
  std::string name;
  base_url http;
  std::optional<base_url> ws;
  std::optional<database_config> database;
  std::optional<process_config> process;
  std::optional<console_config> console;
  /** console.patterns, checked in order after the built-in ones (empty without a console). */
  std::vector<console_pattern> console_patterns;
  stream_config stream;
  fixtures_config fixtures;

  bool operator==(const target_config&) const = default;
};

}  // namespace meshwatch

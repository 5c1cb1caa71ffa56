#pragma once

// Private to the loader: yaml-cpp never appears in a public header.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/env_expand.hpp"
#include "config/loader.hpp"
#include "config/secret.hpp"

namespace meshwatch::detail {

/** A YAML value, where errors about it point, and how messages name it (`targets[0].http`). */
struct located {
  YAML::Node node;
  YAML::Mark mark;
  std::string path;
};

/** Collects errors (bounded) and carries what every section reader needs. */
class reader {
 public:
  reader(std::string file_name, const load_options& options, std::string config_dir);

  void error(const YAML::Mark& at, std::string message);
  void error(const located& at, std::string message) { error(at.mark, std::move(message)); }
  std::size_t error_count() const noexcept { return errors_.size(); }
  /** The errors in file order (the "too many errors" note, if any, stays last). */
  std::vector<config_error> take_errors();

  const env_lookup& env() const noexcept { return env_; }
  const std::string& config_dir() const noexcept { return config_dir_; }

  /** `${NAME}` expansion of scalars; switched off inside probes:, whose strings are templates. */
  bool expand_env = true;

 private:
  std::string file_;
  env_lookup env_;
  std::string config_dir_;
  std::vector<config_error> errors_;
  bool truncated_ = false;
};

/** Errors point at 1-based positions; yaml-cpp's marks are 0-based and -1 when unknown. */
config_error make_error(const std::string& file, const YAML::Mark& at, std::string message);

/** "a mapping", "a list", "a string", "null" — for "must be X, not Y" messages. */
std::string_view describe(const YAML::Node& node);

/** "key" under `parent` ("" is the top level). */
std::string join_path(const std::string& parent, std::string_view key);

/**
 * A YAML mapping checked against its schema: not-a-mapping, unknown keys and duplicate keys are
 * reported on construction, so section readers only deal with the keys they know.
 */
class mapping {
 public:
  /** `allowed` empty means any key (e.g. header names, JSON pointers). */
  mapping(reader& r, const located& at, std::initializer_list<std::string_view> allowed,
          std::size_t max_keys = 64);

  bool valid() const noexcept { return valid_; }
  const located& self() const noexcept { return self_; }

  bool has(std::string_view key) const { return find(key).has_value(); }
  std::optional<located> find(std::string_view key) const;
  /** Reports "missing required key" when absent. */
  std::optional<located> require(std::string_view key) const;
  /** The position of the key itself (for errors about the key's presence). */
  YAML::Mark key_mark(std::string_view key) const;

  struct entry {
    std::string key;
    YAML::Mark key_mark;
    located value;
  };
  /** Every recognised key, first occurrence only, in file order. */
  const std::vector<entry>& entries() const noexcept { return entries_; }

 private:
  reader* r_;
  located self_;
  bool valid_ = false;
  std::vector<entry> entries_;
};

/** The element `index` of a list, positioned and named (`probes[3]`). */
located element(const located& list, std::size_t index);

/** The elements of a list with at most `max_items`; nullopt (error reported) if not a list. */
std::optional<std::vector<located>> read_list(reader& r, const located& at, std::size_t max_items);

/** A scalar as text, `${NAME}`-expanded when the reader says so; may be empty. */
std::optional<std::string> read_scalar(reader& r, const located& at);
/** A non-empty scalar. */
std::optional<std::string> read_string(reader& r, const located& at);
std::optional<std::int64_t> read_int(reader& r, const located& at, std::int64_t min, std::int64_t max);
std::optional<bool> read_bool(reader& r, const located& at);
/** A duration of at least `min` (parse_duration rules). */
std::optional<std::chrono::milliseconds> read_duration(reader& r, const located& at,
                                                       std::chrono::milliseconds min);
/** A list of non-empty strings. */
std::optional<std::vector<std::string>> read_string_list(reader& r, const located& at, std::size_t max_items);

/**
 * A `*_file:` secret: the path is resolved (resolve_secret_path) and read now, so a missing
 * credential fails the config check instead of the first probe. `resolved` receives the path.
 */
std::optional<secret> read_secret(reader& r, const located& at, std::string& resolved);

/**
 * Which of `choices` the mapping sets, when exactly one is set; otherwise reports
 * "needs exactly one of" (none) or "sets both" (several) and returns nullopt.
 */
std::optional<std::string> read_one_of(reader& r, const mapping& m,
                                       std::initializer_list<std::string_view> choices);

/** "a, b, c" */
std::string join(std::initializer_list<std::string_view> items);
std::string join(const std::vector<std::string>& items);

/** "1:5" — for "first defined at" notes. */
std::string position(const YAML::Mark& at);

/** Names of targets, probes, steps and tags: `[A-Za-z0-9_.-]{1,64}`. */
bool is_name(std::string_view s);

}  // namespace meshwatch::detail

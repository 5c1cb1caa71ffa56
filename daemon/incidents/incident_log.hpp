#pragma once
// The incident log (DESIGN.md §8): one JSON line per incident appended to a file, rotated by size
// (`incidents.jsonl` → `.1` … `.N`). Incidents are rare (a few per minute in a crash loop), so
// writes are synchronous on the caller's thread.
//
// fsync policy: with `fsync_policy::every_append` (the default) every appended line is followed
// by fdatasync, because the log matters exactly when the host is in trouble and a line lost to
// a crash or power cut is the one you wanted; `never` leaves it to the kernel (tests, tmpfs).
//
// Errors (disk full, permission, missing directory) never reach the caller: append returns
// false, errors() counts them, and the first failure of a streak is logged once (the recovery
// too). The file is reopened on the next append, so the log resumes when the cause goes away.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/incidents/incident.hpp"

namespace meshwatch {

enum class fsync_policy { every_append, never };

struct incident_log_options {
  std::filesystem::path path = "incidents.jsonl";
  /** The live file is rotated before a line would take it past this size. */
  std::uint64_t max_bytes = std::uint64_t{10} * 1024 * 1024;
  /** Rotated files kept (`.1` newest … `.N` oldest); 0 keeps none: the live file starts over. */
  std::size_t max_files = 5;
  fsync_policy sync = fsync_policy::every_append;
};

class incident_log {
 public:
  explicit incident_log(incident_log_options options);
  ~incident_log();
  incident_log(const incident_log&) = delete;
  incident_log& operator=(const incident_log&) = delete;

  /** Appends the incident as one JSON line; false (counted, logged once) on any error. */
  bool append(const incident& inc);
  /**
   * Appends `json` plus a newline. A line longer than max_bytes is still written, alone in a
   * fresh file: dropping an incident would be worse than one oversized file.
   */
  bool append_line(std::string_view json);

  std::uint64_t errors() const { return errors_; }
  std::uint64_t lines_written() const { return lines_; }
  std::uint64_t rotations() const { return rotations_; }
  const incident_log_options& options() const { return options_; }

 private:
  bool ensure_open();
  bool rotate();
  void close_file();
  bool fail(std::string_view what, int error);
  void succeeded();

  incident_log_options options_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t lines_ = 0;
  std::uint64_t rotations_ = 0;
  bool failing_ = false;  // within an error streak: already logged
};

}  // namespace meshwatch

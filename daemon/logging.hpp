#pragma once
#include <string>

namespace meshwatch {

/**
 * Sets up spdlog for the process: everything to stderr. Under systemd (JOURNAL_STREAM set and
 * matching stderr) lines carry sd-daemon `<N>` priority prefixes and no timestamp, because
 * journald adds its own; elsewhere lines carry an ISO-8601 timestamp and the level.
 * Returns false (and logs nothing) when `level` is not a spdlog level name.
 */
bool setup_logging(const std::string& level);

/** True when stderr is the journal stream systemd gave us (see sd_journal_stream_fd). */
bool stderr_is_journal();

}  // namespace meshwatch

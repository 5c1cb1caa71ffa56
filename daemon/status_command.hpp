#pragma once
// `meshwatch status`: asks a running daemon for /status and prints it as a table.
#include <string>

namespace meshwatch {

/** Exit code: 0 when the daemon answered and every probe is healthy/degraded/unknown, 1 when
 *  some probe is unhealthy or suspended, 2 when the daemon cannot be reached or answers badly. */
int run_status(const std::string& admin_url);

/** The table for a /status JSON document (pure; exposed for tests). Empty on malformed input. */
std::string render_status_table(std::string_view status_json, bool& any_unhealthy);

}  // namespace meshwatch

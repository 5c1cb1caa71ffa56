#pragma once
// `meshwatch verify`: every probe once (fixtures seeded first), a report, exit 0 / 1.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/verify_report.hpp"

namespace meshwatch {

struct verify_options {
  report_format format = report_format::table;
  std::vector<std::string> only;  // globs on probe names
};

/** Returns the exit code: 0 all passed, 1 any failed, 2 nothing to run or a start-up error. */
int run_verify(const config& cfg, const verify_options& options);

}  // namespace meshwatch

#pragma once
// `meshwatch verify` output: a pass/fail table for people, JSON for scripts, JUnit XML for CI
// systems. Pure formatting, unit-tested.
#include <string>
#include <vector>

#include "probes/probe_result.hpp"

namespace meshwatch {

enum class report_format { table, json, junit };

std::string render_verify_report(const std::vector<probe_result>& results, report_format format);

/** True when every result passed (degraded counts as passed). */
bool all_passed(const std::vector<probe_result>& results);

}  // namespace meshwatch

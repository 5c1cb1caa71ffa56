#pragma once
// Incidents as JSON: one line per incident for the log, and the incident part of /status.
// Every string goes through bounded_text first, so the output is valid UTF-8 whatever the input
// was, control characters are escaped by the writer, and the size is bounded.
#include <rapidjson/fwd.h>

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "daemon/incidents/incident.hpp"

namespace meshwatch {

/** The writer type of rapidjson::Writer<rapidjson::StringBuffer> (default encodings and flags). */
using incident_json_writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<char>,
                                               rapidjson::UTF8<char>, rapidjson::CrtAllocator, 0>;

enum class incident_json_detail {
  full,     // everything the incident holds: the log line
  summary,  // without panic lines, probe-start lists, console and last lines; first failing probes only
};

/** Failing probes listed in summary form (the rest are counted as omitted). */
inline constexpr std::size_t summary_failing_probes = 8;

void write_incident(incident_json_writer& w, const incident& inc, incident_json_detail detail);

/** One incident as a single-line JSON object, without a trailing newline. */
std::string incident_to_json(const incident& inc, incident_json_detail detail = incident_json_detail::full);

/**
 * The incidents part of /status: `{"open":[…],"recent":[…]}`, newest first, in summary form,
 * at most `max_recent` closed ones.
 */
void write_incidents_status(incident_json_writer& w, const std::vector<incident>& open,
                            const std::deque<incident>& recent, std::size_t max_recent = 50);
std::string incidents_status_json(const std::vector<incident>& open, const std::deque<incident>& recent,
                                  std::size_t max_recent = 50);

}  // namespace meshwatch

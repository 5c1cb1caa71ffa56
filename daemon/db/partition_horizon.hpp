#pragma once
// Mesher's daily `events_YYYYMMDD` partitions (SCHEMA.md §3.8) as dates, and how many days
// ahead of today they reach without a gap (FAILURES.md F-12: a missing day = failed inserts).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshwatch {

/** `20260217` → that date; nullopt unless exactly 8 digits forming a real calendar date. */
std::optional<std::chrono::sys_days> parse_yyyymmdd(std::string_view digits);

/** `events_20260217` → that date; nullopt for any other name (e.g. `events_default`). */
std::optional<std::chrono::sys_days> parse_events_partition(std::string_view name);

/** The partition Mesher would create for `day`: `events_YYYYMMDD`. */
std::string events_partition_name(std::chrono::sys_days day);

/** `YYYY-MM-DD`, the literal used for partition bounds. */
std::string iso_date(std::chrono::sys_days day);

/**
 * Days of consecutive partitions after today: -1 when today itself has none (inserts fail
 * now), 0 when only today exists (they fail at midnight), 6 after Mesher's start-up
 * (today … today+6). Names that are not `events_YYYYMMDD` are ignored.
 */
int partition_horizon_days(std::chrono::sys_days today, const std::vector<std::string>& partition_names);

}  // namespace meshwatch

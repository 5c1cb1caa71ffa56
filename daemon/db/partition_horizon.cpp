#include "daemon/db/partition_horizon.hpp"

#include <cstdio>
#include <set>

namespace meshwatch {

std::optional<std::chrono::sys_days> parse_yyyymmdd(std::string_view digits) {
  if (digits.size() != 8) {
    return std::nullopt;
  }
  int value[8];
  for (std::size_t i = 0; i < 8; ++i) {
    if (digits[i] < '0' || digits[i] > '9') {
      return std::nullopt;
    }
    value[i] = digits[i] - '0';
  }
  const int year = value[0] * 1000 + value[1] * 100 + value[2] * 10 + value[3];
  const unsigned month = static_cast<unsigned>(value[4] * 10 + value[5]);
  const unsigned day = static_cast<unsigned>(value[6] * 10 + value[7]);
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                         std::chrono::day{day}};
  if (!date.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{date};
}

std::optional<std::chrono::sys_days> parse_events_partition(std::string_view name) {
  constexpr std::string_view prefix = "events_";
  if (!name.starts_with(prefix)) {
    return std::nullopt;
  }
  return parse_yyyymmdd(name.substr(prefix.size()));
}

std::string events_partition_name(std::chrono::sys_days day) {
  const std::chrono::year_month_day date{day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "events_%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::string iso_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day date{day};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

int partition_horizon_days(std::chrono::sys_days today, const std::vector<std::string>& partition_names) {
  std::set<std::chrono::sys_days> days;
  for (const std::string& name : partition_names) {
    if (std::optional<std::chrono::sys_days> day = parse_events_partition(name)) {
      days.insert(*day);
    }
  }
  int horizon = -1;
  // Bounded by the number of partitions: each step needs one more day present.
  for (auto day = today; days.contains(day); day += std::chrono::days{1}) {
    ++horizon;
  }
  return horizon;
}

}  // namespace meshwatch

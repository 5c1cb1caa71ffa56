// `regression:` — when the learned latency baseline calls a probe regressed. Read under
// `defaults:` and under each probe; a probe's keys override the defaults one by one.

#include <charconv>
#include <cmath>

#include "config/detail/sections.hpp"
#include "config/duration.hpp"

namespace meshwatch::detail {
namespace {

// Above 1 or every sample would count as slower; 100× is already "it stopped answering",
// which the timeout reports better than a ratio.
constexpr double max_regression_factor = 100;

std::optional<double> read_factor(reader& r, const located& at) {
  std::optional<std::string> text = read_scalar(r, at);
  if (!text) {
    return std::nullopt;
  }
  double value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (!text->empty() && ec == std::errc{} && ptr == end && std::isfinite(value) && value > 1 &&
      value <= max_regression_factor) {
    return value;
  }
  r.error(at, at.path + " must be a number above 1 and at most 100, got '" + *text + "'");
  return std::nullopt;
}

}  // namespace

regression_config read_regression(reader& r, const located& at, regression_config base) {
  const mapping m{r, at, {"factor", "min_increase", "consecutive"}};
  if (std::optional<located> v = m.find("factor")) {
    base.factor = read_factor(r, *v).value_or(base.factor);
  }
  if (std::optional<located> v = m.find("min_increase")) {
    base.min_increase = read_duration(r, *v, std::chrono::milliseconds{0}).value_or(base.min_increase);
  }
  if (std::optional<located> v = m.find("consecutive")) {
    base.consecutive = static_cast<int>(read_int(r, *v, 1, 100).value_or(base.consecutive));
  }
  return base;
}

}  // namespace meshwatch::detail

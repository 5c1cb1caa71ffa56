// The `admin:` and `defaults:` sections.

#include <charconv>

#include "config/detail/sections.hpp"
#include "config/duration.hpp"

namespace meshwatch::detail {
namespace {

// "10%" → 10. A bare number is refused: 0.1 and 10 would both look plausible.
std::optional<int> read_percent(reader& r, const located& at) {
  std::optional<std::string> text = read_scalar(r, at);
  if (!text) {
    return std::nullopt;
  }
  int value = -1;
  const bool has_sign = text->size() > 1 && text->back() == '%';
  const char* end = text->data() + text->size() - 1;
  if (has_sign) {
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec == std::errc{} && ptr == end && value >= 0 && value <= 100) {
      return value;
    }
  }
  r.error(at, at.path + " must be a percentage from 0% to 100%, got '" + *text + "'");
  return std::nullopt;
}

}  // namespace

admin_config read_admin(reader& r, const located& at) {
  admin_config admin;
  const mapping m{r, at, {"listen", "bearer_token", "bearer_token_file", "max_requests_per_second"}};
  if (std::optional<located> listen = m.find("listen")) {
    if (std::optional<std::string> text = read_string(r, *listen)) {
      parsed<listen_address> address = parse_listen_address(*text);
      if (address) {
        admin.listen = std::move(*address.value);
      } else {
        r.error(*listen, listen->path + ": invalid address '" + *text + "': " + address.error);
      }
    }
  }
  const std::optional<located> token = m.find("bearer_token");
  const std::optional<located> token_file = m.find("bearer_token_file");
  if (token && token_file) {
    r.error(m.key_mark("bearer_token_file"),
            "admin sets both 'bearer_token' and 'bearer_token_file'; use one");
  } else if (token) {
    if (std::optional<std::string> value = read_string(r, *token)) {
      admin.bearer_token = secret{std::move(*value)};
    }
  } else if (token_file) {
    std::string resolved;
    admin.bearer_token = read_secret(r, *token_file, resolved);
  }
  if (std::optional<located> rate = m.find("max_requests_per_second")) {
    admin.max_requests_per_second =
        static_cast<int>(read_int(r, *rate, 1, 100000).value_or(admin.max_requests_per_second));
  }
  return admin;
}

probe_defaults read_defaults(reader& r, const located& at) {
  probe_defaults d;
  const mapping m{
      r, at, {"interval", "timeout", "healthy_threshold", "unhealthy_threshold", "jitter", "regression"}};
  // The fields keep their built-in value when invalid: the error is reported, and probes are
  // still checked against something sensible instead of cascading.
  std::optional<std::chrono::milliseconds> interval;
  std::optional<std::chrono::milliseconds> timeout;
  if (std::optional<located> v = m.find("interval")) {
    interval = read_duration(r, *v, min_probe_interval);
  }
  if (std::optional<located> v = m.find("timeout")) {
    timeout = read_duration(r, *v, std::chrono::milliseconds{1});
  }
  d.interval = interval.value_or(d.interval);
  d.timeout = timeout.value_or(d.timeout);
  // Compared only when both are valid, or one bad value would produce a second, confusing error.
  const bool both_valid = (interval || !m.has("interval")) && (timeout || !m.has("timeout"));
  if (both_valid && d.timeout > d.interval) {
    const located where = timeout ? *m.find("timeout") : *m.find("interval");
    r.error(where, "defaults.timeout (" + format_duration(d.timeout) +
                       ") must not exceed defaults.interval (" + format_duration(d.interval) + ")");
  }
  if (std::optional<located> v = m.find("healthy_threshold")) {
    d.healthy_threshold = static_cast<int>(read_int(r, *v, 1, 100).value_or(d.healthy_threshold));
  }
  if (std::optional<located> v = m.find("unhealthy_threshold")) {
    d.unhealthy_threshold = static_cast<int>(read_int(r, *v, 1, 100).value_or(d.unhealthy_threshold));
  }
  if (std::optional<located> v = m.find("jitter")) {
    d.jitter_percent = read_percent(r, *v).value_or(d.jitter_percent);
  }
  if (std::optional<located> v = m.find("regression")) {
    d.regression = read_regression(r, *v, d.regression);
  }
  return d;
}

}  // namespace meshwatch::detail

#pragma once
// The libpq connection string the DB thread uses, built from the configured DSN (URI or
// key=value) plus the password from the config's secret, a connect timeout and keepalives.
// Pure: parsing goes through libpq's own PQconninfoParse, nothing touches the network.
#include <chrono>
#include <string>
#include <string_view>

#include "config/parsed.hpp"
#include "config/secret.hpp"

namespace meshwatch {

struct conninfo_options {
  /** libpq counts whole seconds and treats anything below 2 s as 2 s; rounded up accordingly. */
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{3}};
  /** Shown in pg_stat_activity, so DBAs can tell meshwatch's session from Mesher's pool. */
  std::string application_name = "meshwatch";
  /** Dead-peer detection for a server that vanishes mid-query (no RST). */
  std::chrono::seconds keepalive_idle{10};
};

struct conninfo {
  std::string text;      // for libpq only: contains the password; never log it
  std::string redacted;  // the same with `password='***'`, for logs and /status
  std::string user;      // user name given in the DSN; empty means libpq's default
  secret password;       // effective password, kept only to scrub it from error text
};

/**
 * Parses `dsn` and applies the overrides. A configured `password` replaces one inside the
 * DSN; `connect_timeout`, `application_name` (unless the DSN has one) and keepalives are set.
 * The error text never repeats the DSN (it may contain a password).
 */
parsed<conninfo> build_conninfo(std::string_view dsn, const secret* password,
                                const conninfo_options& options);

/** libpq quoting for one value in a key=value string: `'…'` with `\` and `'` escaped. */
std::string quote_conninfo_value(std::string_view value);

/**
 * Error text fit for a log line: one line (newlines become "; "), control characters
 * replaced, every occurrence of `hidden` replaced by `***`, at most `max_bytes` bytes
 * (cut on a UTF-8 boundary, `…` appended).
 */
std::string bounded_message(std::string_view text, const secret& hidden, std::size_t max_bytes = 300);

}  // namespace meshwatch

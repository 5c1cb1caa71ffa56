#pragma once
// The answer of a job run on the DB thread: a value, or a failure with a reason from the
// closed set (db_error, timeout, not_persisted, …) and one short line for logs and /status.
// Failures are values: a broken database is what meshwatch exists to report.
#include <optional>
#include <string>
#include <utility>

#include "probes/failure_reason.hpp"

namespace meshwatch {

struct db_failure {
  failure_reason reason = failure_reason::db_error;
  std::string message;   // bounded, single line, never contains the password
  std::string sqlstate;  // e.g. 57014; empty when the failure did not come from the server
};

template <class T>
class db_outcome {
 public:
  /** A failure (`internal`, "no result"); exists because co_spawn needs a default value. */
  db_outcome() : failure_{failure_reason::internal, "no result", {}} {}

  static db_outcome success(T value) {
    db_outcome out;
    out.value_.emplace(std::move(value));
    return out;
  }
  static db_outcome failure(db_failure failure) {
    db_outcome out;
    out.failure_ = std::move(failure);
    return out;
  }

  bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }

  /** Only when ok(). */
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }

  /** Only meaningful when !ok(). */
  const db_failure& error() const noexcept { return failure_; }

 private:
  std::optional<T> value_;
  db_failure failure_;
};

}  // namespace meshwatch

#pragma once

#include <string>
#include <utility>

namespace meshwatch {

/**
 * A password or token loaded from the config. It deliberately has no operator<< and no fmt
 * formatter, so logging a config object cannot leak it: the only way to the bytes is
 * reveal(), which is easy to grep for in review.
 */
class secret {
 public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }

  bool operator==(const secret&) const = default;

 private:
  std::string value_;
};

}  // namespace meshwatch

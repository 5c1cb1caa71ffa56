#include "daemon/token_bucket.hpp"

#include <algorithm>

namespace meshwatch {

token_bucket::token_bucket(double rate, double burst, clock::time_point now)
    : rate_(std::max(rate, 1e-9)), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

bool token_bucket::try_take(clock::time_point now) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  if (tokens_ < 1.0) {
    return false;
  }
  tokens_ -= 1.0;
  return true;
}

}  // namespace meshwatch

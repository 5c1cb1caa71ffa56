#pragma once
// A token bucket (pure; time is injected): `rate` tokens a second, at most `burst` saved up.
// The admin server takes one per request, so a runaway client or a tight curl loop cannot make
// meshwatch spend its loop on rendering /status instead of probing Mesher.
#include <chrono>

namespace meshwatch {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  /** `rate` > 0 per second; `burst` ≥ 1; starts full. */
  token_bucket(double rate, double burst, clock::time_point now);

  /** Takes one token if there is one. */
  bool try_take(clock::time_point now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace meshwatch

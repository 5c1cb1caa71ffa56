#pragma once
// The pushes a long-lived stream subscriber received, kept for pipelines to match: bounded in
// count and in bytes (oldest dropped first), numbered so that a wait can say "only pushes that
// arrived after my request" without comparing clocks. Pure.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

namespace meshwatch {

struct stream_push {
  std::uint64_t seq = 0;  // 0, 1, 2, … over the subscriber's whole life
  std::chrono::steady_clock::time_point received{};
  std::uint64_t connection = 0;  // which connection delivered it (1 for the first)
  std::string text;
};

class stream_push_buffer {
 public:
  stream_push_buffer(std::size_t max_pushes, std::size_t max_bytes);

  /** Keeps `text`, dropping the oldest pushes beyond the bounds; returns its seq. */
  std::uint64_t add(std::string text, std::chrono::steady_clock::time_point received,
                    std::uint64_t connection);

  /** The seq the next push will get: a wait that starts now looks from here. */
  std::uint64_t next_seq() const { return next_seq_; }

  /** The first kept push with seq >= `from` that `matches` accepts; nullptr when none. */
  const stream_push* find(std::uint64_t from, const std::function<bool(const std::string&)>& matches) const;

  /** True when a push with seq >= `from` was dropped to stay within the bounds. */
  bool evicted_since(std::uint64_t from) const;

  std::size_t size() const { return pushes_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t max_pushes_;
  std::size_t max_bytes_;
  std::deque<stream_push> pushes_;
  std::size_t bytes_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t first_kept_ = 0;  // seq of pushes_.front(), or next_seq_ when empty
};

}  // namespace meshwatch

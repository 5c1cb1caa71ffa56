#include "daemon/stream_push_buffer.hpp"

namespace meshwatch {

stream_push_buffer::stream_push_buffer(std::size_t max_pushes, std::size_t max_bytes)
    : max_pushes_(max_pushes), max_bytes_(max_bytes) {}

std::uint64_t stream_push_buffer::add(std::string text, std::chrono::steady_clock::time_point received,
                                      std::uint64_t connection) {
  const auto seq = next_seq_++;
  bytes_ += text.size();
  pushes_.push_back(stream_push{seq, received, connection, std::move(text)});
  // A single push larger than max_bytes goes too: the bound holds whatever arrives.
  while (!pushes_.empty() && (pushes_.size() > max_pushes_ || bytes_ > max_bytes_)) {
    bytes_ -= pushes_.front().text.size();
    pushes_.pop_front();
  }
  first_kept_ = pushes_.empty() ? next_seq_ : pushes_.front().seq;
  return seq;
}

const stream_push* stream_push_buffer::find(std::uint64_t from,
                                            const std::function<bool(const std::string&)>& matches) const {
  // seqs are contiguous in the buffer, so the start is an index, not a search.
  std::size_t start = from <= first_kept_ ? 0 : static_cast<std::size_t>(from - first_kept_);
  for (std::size_t i = start; i < pushes_.size(); ++i) {
    if (matches(pushes_[i].text)) {
      return &pushes_[i];
    }
  }
  return nullptr;
}

bool stream_push_buffer::evicted_since(std::uint64_t from) const { return from < first_kept_; }

}  // namespace meshwatch

#include "daemon/process/resource_sampler.hpp"

#include <algorithm>
#include <unordered_set>

namespace meshwatch {
namespace {

// Socket inodes kept from one fd walk: far beyond Mesher's connection counts, and a bound on
// the readlink calls a runaway fd table costs.
constexpr std::size_t max_socket_inodes = 65536;

}  // namespace

resource_sampler::resource_sampler(std::vector<tcp_listener> listeners) : listeners_(std::move(listeners)) {}

std::optional<resource_sampler::reading> resource_sampler::sample(const process_identity& id) {
  if (!identity_alive(id)) {
    return std::nullopt;
  }
  std::vector<std::uint64_t> inodes;
  auto sample = sample_process(id.pid, listeners_.empty() ? nullptr : &inodes, max_socket_inodes);
  close_wait_count close_wait;
  if (sample && sample->open_fds >= 0 && !listeners_.empty()) {
    std::unordered_set<std::uint64_t> owned(inodes.begin(), inodes.end());
    close_wait = count_process_close_wait(id.pid, listeners_, owned);
    close_wait.truncated = close_wait.truncated || inodes.size() >= max_socket_inodes;
  }
  // Checked again after reading: if the identity still holds, the numbers were its own.
  if (!sample || !identity_alive(id)) {
    return std::nullopt;
  }
  reading r;
  r.sample = *sample;
  r.close_wait = std::move(close_wait.per_listener);
  r.close_wait_truncated = close_wait.truncated;
  bool same = last_id_ && *last_id_ == id;
  r.cpu_seconds_delta = same ? std::max(0.0, sample->cpu_seconds - last_cpu_seconds_) : sample->cpu_seconds;
  last_id_ = id;
  last_cpu_seconds_ = sample->cpu_seconds;
  return r;
}

}  // namespace meshwatch

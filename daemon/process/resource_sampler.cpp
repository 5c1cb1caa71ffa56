#include "daemon/process/resource_sampler.hpp"

#include <algorithm>

namespace meshwatch {

std::optional<resource_sampler::reading> resource_sampler::sample(const process_identity& id) {
  if (!identity_alive(id)) {
    return std::nullopt;
  }
  auto sample = sample_process(id.pid);
  // Checked again after reading: if the identity still holds, the numbers were its own.
  if (!sample || !identity_alive(id)) {
    return std::nullopt;
  }
  reading r;
  r.sample = *sample;
  bool same = last_id_ && *last_id_ == id;
  r.cpu_seconds_delta = same ? std::max(0.0, sample->cpu_seconds - last_cpu_seconds_) : sample->cpu_seconds;
  last_id_ = id;
  last_cpu_seconds_ = sample->cpu_seconds;
  return r;
}

}  // namespace meshwatch

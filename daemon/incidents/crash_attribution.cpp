#include "daemon/incidents/crash_attribution.hpp"

#include <algorithm>

namespace meshwatch {

bool attributable_exit(const std::optional<exit_report>& exit) {
  if (!exit) {
    return true;
  }
  switch (exit->classification) {
    case exit_classification::db_at_start_failure:
    case exit_classification::killed:
    case exit_classification::pipe_closed:
    case exit_classification::external_stop: return false;
    default: return true;
  }
}

void crash_attribution::prune(time_point now) {
  while (!history_.empty() && now - history_.front().at > options_.max_age) {
    history_.pop_front();
  }
}

crash_attribution::verdict crash_attribution::on_crash(time_point at,
                                                       const std::vector<candidate>& candidates) {
  prune(at);

  // Distinct names, each with its latest start: a probe that ran twice in the window is one candidate.
  std::vector<candidate> distinct;
  for (const auto& c : candidates) {
    auto it = std::find_if(distinct.begin(), distinct.end(),
                           [&](const candidate& d) { return d.probe == c.probe; });
    if (it == distinct.end()) {
      if (distinct.size() < options_.max_candidates_per_crash) {
        distinct.push_back(c);
      }
    } else if (c.started > it->started) {
      it->started = c.started;
    }
  }

  verdict v;
  std::optional<time_point> best_start;
  for (const auto& c : distinct) {
    std::size_t seen = 1;  // this crash
    for (const auto& r : history_) {
      if (std::find(r.probes.begin(), r.probes.end(), c.probe) != r.probes.end()) {
        ++seen;
      }
    }
    if (seen < options_.crashes_to_suspect) {
      continue;
    }
    if (!v.suspect || seen > v.crashes || (seen == v.crashes && c.started > *best_start)) {
      v.suspect = c.probe;
      v.crashes = seen;
      best_start = c.started;
    }
  }

  crash_record record{at, {}};
  record.probes.reserve(distinct.size());
  for (const auto& c : distinct) {
    record.probes.push_back(c.probe);
  }
  history_.push_back(std::move(record));
  while (history_.size() > options_.history) {
    history_.pop_front();
  }

  if (v.suspect && !suspended(*v.suspect) && suspended_.size() < options_.max_suspended) {
    suspended_.insert(*v.suspect);
    v.newly_suspended = true;
  }
  return v;
}

void crash_attribution::resume(const std::string& probe) { suspended_.erase(probe); }

}  // namespace meshwatch

#include "daemon/incidents/incident_evidence.hpp"

#include <algorithm>
#include <iterator>

namespace meshwatch {

namespace {

template <typename T>
void push_bounded(std::deque<T>& ring, T value, std::size_t cap) {
  ring.push_back(std::move(value));
  while (ring.size() > cap) {
    ring.pop_front();
  }
}

}  // namespace

void incident_evidence::add(probe_start s) { push_bounded(starts_, std::move(s), limits_.probe_starts); }
void incident_evidence::add(failure f) { push_bounded(failures_, std::move(f), limits_.probe_failures); }
void incident_evidence::add(panic p) { push_bounded(panics_, std::move(p), limits_.panics); }
void incident_evidence::add(console_line c) { push_bounded(console_, std::move(c), limits_.console_lines); }

void incident_evidence::add_tail(const std::string& target, tail_line l) {
  auto it = tails_.find(target);
  if (it == tails_.end()) {
    it = tails_.emplace(target, std::deque<tail_line>{}).first;
  }
  push_bounded(it->second, std::move(l), limits_.tail_lines);
}

std::vector<incident_evidence::tail_line> incident_evidence::take_tail(const std::string& target) {
  std::vector<tail_line> out;
  if (auto it = tails_.find(target); it != tails_.end()) {
    out.assign(std::make_move_iterator(it->second.begin()), std::make_move_iterator(it->second.end()));
    it->second.clear();
  }
  return out;
}

std::size_t incident_evidence::tail_lines() const {
  std::size_t n = 0;
  for (const auto& [target, ring] : tails_) {
    n += ring.size();
  }
  return n;
}

std::vector<incident_evidence::probe_start> incident_evidence::starts_between(const std::string& target,
                                                                              time_point from,
                                                                              time_point to) const {
  std::vector<probe_start> out;
  for (const auto& s : starts_) {
    if (s.target == target && s.at >= from && s.at <= to) {
      out.push_back(s);
    }
  }
  return out;
}

std::vector<incident_evidence::failure> incident_evidence::failures_since(const std::string& target,
                                                                          time_point from) const {
  std::vector<failure> out;
  for (const auto& f : failures_) {
    if (f.target == target && f.at >= from) {
      out.push_back(f);
    }
  }
  return out;
}

std::vector<incident_evidence::console_line> incident_evidence::console_between(const std::string& target,
                                                                                time_point from,
                                                                                time_point to) const {
  std::vector<console_line> out;
  for (const auto& c : console_) {
    if (c.target == target && c.at >= from && c.at <= to) {
      out.push_back(c);
    }
  }
  return out;
}

incident_evidence::failing_set incident_evidence::failing_since(const std::string& target,
                                                                time_point from) const {
  failing_set set;
  std::vector<const std::string*> seen;
  for (const auto& f : failures_) {
    if (f.target != target || f.failure.starting || f.at < from) {
      continue;
    }
    if (std::none_of(seen.begin(), seen.end(), [&](const std::string* p) { return *p == f.failure.probe; })) {
      seen.push_back(&f.failure.probe);
    }
    if (!set.earliest || f.at < *set.earliest) {
      set.earliest = f.at;
    }
  }
  set.distinct_probes = seen.size();
  return set;
}

std::vector<incident_evidence::panic> incident_evidence::take_panics(const std::string& target,
                                                                     time_point from, time_point to) {
  std::vector<panic> out;
  for (auto it = panics_.begin(); it != panics_.end();) {
    if (it->target == target && it->at.mono >= from && it->at.mono <= to) {
      out.push_back(std::move(*it));
      it = panics_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<incident_evidence::panic> incident_evidence::take_panics_before(time_point cutoff) {
  std::vector<panic> out;
  for (auto it = panics_.begin(); it != panics_.end();) {
    if (it->at.mono <= cutoff) {
      out.push_back(std::move(*it));
      it = panics_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<incident_evidence::time_point> incident_evidence::oldest_panic() const {
  std::optional<time_point> oldest;
  for (const auto& p : panics_) {
    if (!oldest || p.at.mono < *oldest) {
      oldest = p.at.mono;
    }
  }
  return oldest;
}

void incident_evidence::prune(time_point cutoff) {
  while (!starts_.empty() && starts_.front().at < cutoff) {
    starts_.pop_front();
  }
  while (!failures_.empty() && failures_.front().at < cutoff) {
    failures_.pop_front();
  }
}

}  // namespace meshwatch

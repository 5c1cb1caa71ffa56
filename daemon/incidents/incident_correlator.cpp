#include "daemon/incidents/incident_correlator.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "daemon/console/heartbeat_tracker.hpp"
#include "daemon/incidents/bounded_text.hpp"
#include "daemon/incidents/crash_attribution.hpp"
#include "daemon/incidents/incident_evidence.hpp"

namespace meshwatch {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;

constexpr std::size_t max_summary_bytes = 512;

struct open_entry {
  incident inc;
  std::optional<time_point> deadline;  // none: closed by an event (ready, crash_loop_ended, …)
  /**
   * Failing probes and console lines join until then, and until then it explains failures (no
   * endpoint_outage). Unset: the deadline. A repeated panic stays open through its quiet period
   * but collects only around each occurrence, so it cannot swallow an unrelated outage.
   */
  std::optional<time_point> collect_until;

  std::optional<time_point> collect_limit() const { return collect_until ? collect_until : deadline; }
};

struct target_state {
  bool down = false;
  std::optional<time_point> started;  // of the current process, if seen
  std::optional<heartbeat_tracker> beats;
  std::array<bool, all_heartbeats.size()> armed{};  // seen at least once in this process's life
  crash_attribution attribution;
};

struct notification {
  enum class what { opened, closed, suspend } kind = what::opened;
  incident inc;
  std::string probe;
  std::string target;
  std::string reason;
};

incident_offset offset_between(time_point anchor, time_point at) {
  return duration_cast<milliseconds>(at - anchor);
}

std::string first_line_of(const std::string& text) { return text.substr(0, text.find('\n')); }

/** The same panic again: a repeat joins the open incident instead of opening another. */
bool same_panic(const incident_panic& a, const incident_panic& b) {
  return a.kind == b.kind && a.caught == b.caught && a.aborted == b.aborted && a.location == b.location &&
         a.message == b.message;
}

std::string panic_summary(const incident_panic& p, std::uint64_t occurrences) {
  std::string text = std::string(p.caught ? "caught handler panic" : "panic, no exit seen") +
                     (p.message.empty() ? std::string() : ": " + first_line_of(p.message));
  if (occurrences > 1) {
    text += "; " + std::to_string(occurrences) + " times";
  }
  return text;
}

template <typename T>
std::vector<T> last_n(std::vector<T> items, std::size_t n) {
  if (items.size() > n) {
    items.erase(items.begin(), items.end() - static_cast<std::ptrdiff_t>(n));
  }
  return items;
}

}  // namespace

incident_clocks incident_clocks::system() {
  return {[] { return std::chrono::steady_clock::now(); }, [] { return std::chrono::system_clock::now(); }};
}

struct incident_correlator::state {
  incident_correlator_options options;
  incident_clocks clocks;
  incident_callbacks callbacks;
  incident_evidence evidence;
  std::vector<open_entry> open;  // oldest first
  std::deque<incident> recent;
  std::map<std::string, target_state, std::less<>> targets;
  std::vector<notification> pending;
  std::uint64_t sequence = 0;

  state(incident_correlator_options o, incident_clocks c, incident_callbacks cb)
      : options(o),
        clocks(std::move(c)),
        callbacks(std::move(cb)),
        evidence({o.max_probe_starts, o.max_probe_failures, o.max_panics, o.max_console_lines}) {}

  target_state& target(const std::string& name) {
    auto it = targets.find(name);
    if (it == targets.end()) {
      crash_attribution::options a;
      a.crashes_to_suspect = options.attribution_crashes;
      a.history = options.attribution_history;
      a.max_age = options.attribution_max_age;
      it = targets.emplace(name, target_state{false, std::nullopt, std::nullopt, {}, crash_attribution(a)})
               .first;
    }
    return it->second;
  }

  bool is_open(const std::string& target_name, incident_kind kind) const {
    return std::any_of(open.begin(), open.end(), [&](const open_entry& o) {
      return o.inc.target == target_name && o.inc.kind == kind;
    });
  }

  /** An open incident of the target that still collects at `at`: failures then belong to it. */
  bool explained(const std::string& target_name, time_point at) const {
    return std::any_of(open.begin(), open.end(), [&](const open_entry& o) {
      const auto limit = o.collect_limit();
      return o.inc.target == target_name && (!limit || at <= *limit);
    });
  }

  /** Notifications wait until the state is consistent, so a callback may call back into the correlator. */
  void flush() {
    while (!pending.empty()) {
      auto batch = std::move(pending);
      pending.clear();
      for (auto& n : batch) {
        if (n.kind == notification::what::opened && callbacks.on_opened) {
          callbacks.on_opened(n.inc);
        } else if (n.kind == notification::what::closed && callbacks.on_closed) {
          callbacks.on_closed(n.inc);
        } else if (n.kind == notification::what::suspend && callbacks.on_suspend) {
          callbacks.on_suspend(n.probe, n.target, n.reason);
        }
      }
    }
  }

  // --- opening and closing

  static void attach_failure(incident& inc, const incident_probe_failure& f, time_point at) {
    if (inc.failing_probes.size() >= incident_limits::max_failing_probes) {
      ++inc.failing_probes_omitted;
      return;
    }
    inc.failing_probes.push_back(f);
    inc.failing_probes.back().offset = offset_between(inc.opened_at.mono, at);
  }

  static void attach_panic(incident& inc, const incident_panic& p, time_point at) {
    if (inc.panics.size() < incident_limits::max_panics) {
      inc.panics.push_back(p);
      inc.panics.back().offset = offset_between(inc.opened_at.mono, at);
    }
  }

  incident new_incident(const std::string& target_name, incident_kind kind, incident_time at) const {
    incident inc;
    inc.target = bounded_text(target_name, incident_limits::max_name_bytes);
    inc.kind = kind;
    inc.opened_at = at;
    inc.last_occurrence = at;
    return inc;
  }

  /**
   * Counts the probe that started last before an occurrence at `at` (within the attribution
   * window, never an exempt probe such as the fast path) as its trigger. Bounded: the first
   * max_triggers distinct probes, the rest only counted.
   */
  void record_trigger(incident& inc, time_point at) const {
    std::optional<incident_evidence::probe_start> last;
    for (const auto& s : evidence.starts_between(inc.target, at - options.attribution_window, at)) {
      if (options.never_suspect && options.never_suspect(s.probe, s.route)) {
        continue;
      }
      if (!last || s.at >= last->at) {
        last = s;
      }
    }
    if (!last) {
      return;
    }
    auto it = std::find_if(inc.triggers.begin(), inc.triggers.end(), [&](const incident_trigger& t) {
      return t.probe == last->probe && t.route == last->route;
    });
    if (it != inc.triggers.end()) {
      ++it->occurrences;
    } else if (inc.triggers.size() < incident_limits::max_triggers) {
      inc.triggers.push_back({last->probe, last->route, 1});
    } else {
      ++inc.triggers_omitted;
    }
  }

  /** Fills in id and context from the evidence, enforces the open cap, queues on_opened; returns the id. */
  std::string open_incident(incident inc, std::optional<time_point> deadline, time_point console_since,
                            std::optional<time_point> collect_until = std::nullopt) {
    inc.sequence = ++sequence;
    inc.id = make_incident_id(inc.opened_at.wall, inc.sequence);
    const time_point anchor = inc.opened_at.mono;
    for (const auto& f : evidence.failures_since(inc.target, anchor - options.window_before)) {
      attach_failure(inc, f.failure, f.at);
    }
    // The lines closest to the trigger say the most: keep the last ones. An outage is anchored
    // at its first failing probe's start, before the lines printed while that probe waited (an
    // accept-error flood, F-34): everything received until now belongs to it.
    const time_point console_until = std::max(anchor, clocks.steady());
    for (auto& c : last_n(evidence.console_between(inc.target, console_since, console_until),
                          incident_limits::max_console_lines)) {
      inc.console.push_back(std::move(c.line));
      inc.console.back().offset = offset_between(anchor, c.at);
    }
    inc.summary = bounded_text(inc.summary, max_summary_bytes);
    inc.detail = bounded_text(inc.detail, incident_limits::max_detail_bytes);

    while (!open.empty() && open.size() >= options.max_open) {
      close_at(0, "evicted", clocks.steady());
    }
    pending.push_back({notification::what::opened, inc, {}, {}, {}});
    std::string id = inc.id;
    open.push_back({std::move(inc), deadline, collect_until});
    return id;
  }

  void close_at(std::size_t index, std::string_view reason, time_point now) {
    auto entry = std::move(open[index]);
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(index));
    entry.inc.closed_at = incident_time{clocks.wall(), now};
    entry.inc.close_reason = std::string(reason);
    pending.push_back({notification::what::closed, entry.inc, {}, {}, {}});
    recent.push_back(std::move(entry.inc));
    while (recent.size() > options.max_recent) {
      recent.pop_front();
    }
  }

  void close_kinds(const std::string& target_name, std::initializer_list<incident_kind> kinds,
                   std::string_view reason, time_point now) {
    for (std::size_t i = 0; i < open.size();) {
      const auto& inc = open[i].inc;
      if (inc.target == target_name && std::find(kinds.begin(), kinds.end(), inc.kind) != kinds.end()) {
        close_at(i, reason, now);
      } else {
        ++i;
      }
    }
  }

  /** The last probe start within the look-back, and every start within the attribution window. */
  std::vector<crash_attribution::candidate> attach_probe_starts(incident& inc) const {
    const time_point anchor = inc.opened_at.mono;
    std::vector<crash_attribution::candidate> candidates;
    std::vector<incident_probe_start> in_window;
    for (const auto& s : evidence.starts_between(inc.target, anchor - options.probe_before_window, anchor)) {
      incident_probe_start p{s.probe, s.route, offset_between(anchor, s.at)};
      if (!inc.probe_before || p.offset >= inc.probe_before->offset) {
        inc.probe_before = p;
      }
      if (s.at >= anchor - options.attribution_window) {
        if (!options.never_suspect || !options.never_suspect(s.probe, s.route)) {
          candidates.push_back({s.probe, s.at});
        }
        in_window.push_back(std::move(p));
      }
    }
    inc.probes_started_before = last_n(std::move(in_window), incident_limits::max_probe_starts);
    return candidates;
  }

  // --- process events

  void exited(const process_event& e) {
    auto& ts = target(e.target);
    ts.down = true;
    ts.beats.reset();
    ts.armed = {};
    close_kinds(e.target,
                {incident_kind::endpoint_outage, incident_kind::not_ready, incident_kind::heartbeat_stale,
                 incident_kind::stopped},
                "process_exited", e.at);

    const bool clean = e.exit && e.exit->status.how == exit_status::kind::exited && e.exit->status.code == 0;
    // SIGTERM/SIGINT (or 143/130 from a wrapper) is someone stopping Mesher (D1): a deploy, a
    // `systemctl restart`. It is on record, but it is not a crash: no attribution, no panic joins.
    const bool stop = e.exit && e.exit->classification == exit_classification::external_stop;
    if (stop) {
      stopped(e);
      return;
    }
    auto inc =
        new_incident(e.target, clean ? incident_kind::clean_exit : incident_kind::crash, {e.wall_time, e.at});
    inc.exit = e.exit;
    if (e.process.pid != 0) {
      inc.pid = e.process.pid;
    }
    inc.detail = e.detail;
    for (auto& l : evidence.take_tail(e.target)) {
      inc.last_lines.push_back(std::move(l.line));
      inc.last_lines.back().offset = offset_between(e.at, l.at);
    }
    // The block printed just before an abort is its cause: one incident, not two.
    for (const auto& p :
         evidence.take_panics(e.target, e.at - options.panic_window, e.at + options.late_panic)) {
      attach_panic(inc, p.panic, p.at.mono);
    }
    const auto candidates = attach_probe_starts(inc);
    inc.summary = describe_exit(e.exit);
    if (!inc.panics.empty()) {
      inc.summary += "; panic: " + first_line_of(inc.panics.front().message);
    }
    crash_attribution::verdict verdict;
    if (!clean && attributable_exit(e.exit)) {
      verdict = ts.attribution.on_crash(e.at, candidates);
      if (verdict.suspect) {
        inc.suspected_probe = verdict.suspect;
        inc.suspended = verdict.newly_suspended;
        inc.summary += "; suspected probe " + *verdict.suspect;
      }
    }
    const std::string id =
        open_incident(std::move(inc), e.at + options.window_after, e.at - options.window_before);
    if (verdict.newly_suspended) {
      std::string reason = "started within " + std::to_string(options.attribution_window.count()) +
                           " ms before " + std::to_string(verdict.crashes) +
                           " crashes; last: " + describe_exit(e.exit) + " (incident " + id + ")";
      pending.push_back({notification::what::suspend, {}, *verdict.suspect, e.target, std::move(reason)});
    }
  }

  /**
   * An external stop: open until the next process is ready (its duration is the downtime of the
   * deploy or restart), or until that process exits or misses its readiness. It collects the
   * probes failing in the gap, as a crash does, and is never a crash attribution sample.
   */
  void stopped(const process_event& e) {
    evidence.take_tail(e.target);  // the next process's crash shows its own lines only
    auto inc = new_incident(e.target, incident_kind::stopped, {e.wall_time, e.at});
    inc.exit = e.exit;
    if (e.process.pid != 0) {
      inc.pid = e.process.pid;
    }
    inc.detail = e.detail;
    attach_probe_starts(inc);  // context only
    inc.summary = "stopped: " + describe_exit(e.exit);
    open_incident(std::move(inc), std::nullopt, e.at - options.window_before);
  }

  void not_ready(const process_event& e, const target_state& ts) {
    // After an exit the crash incident says it all; only a live process can be "not ready".
    if (ts.down || is_open(e.target, incident_kind::not_ready)) {
      return;
    }
    // The process came back after a stop but is not ready: that is the story now.
    close_kinds(e.target, {incident_kind::stopped}, "not_ready", e.at);
    auto inc = new_incident(e.target, incident_kind::not_ready, {e.wall_time, e.at});
    inc.summary = "not ready: " + (e.detail.empty() ? std::string("readiness lost") : e.detail);
    inc.detail = e.detail;
    if (e.process.pid != 0) {
      inc.pid = e.process.pid;
    }
    // The cause (a bind failure, F-33) was printed at start, possibly long before the grace ran out.
    const time_point since = std::min(ts.started.value_or(e.at), e.at - options.window_before);
    open_incident(std::move(inc), std::nullopt, since);
  }

  void process(const process_event& e) {
    auto& ts = target(e.target);
    switch (e.kind) {
      case process_event_kind::started:
        ts.down = false;
        ts.started = e.at;
        ts.beats.emplace(e.at);
        ts.armed = {};
        break;
      case process_event_kind::restarted: break;
      case process_event_kind::exited: exited(e); break;
      case process_event_kind::crash_loop_started:
        if (!is_open(e.target, incident_kind::crash_loop)) {
          auto inc = new_incident(e.target, incident_kind::crash_loop, {e.wall_time, e.at});
          inc.summary = "crash loop: " +
                        (e.detail.empty() ? std::to_string(e.restarts_total) + " restarts so far" : e.detail);
          inc.detail = e.detail;
          open_incident(std::move(inc), std::nullopt, e.at - options.window_before);
        }
        break;
      case process_event_kind::crash_loop_ended:
        close_kinds(e.target, {incident_kind::crash_loop}, "crash_loop_ended", e.at);
        break;
      case process_event_kind::ready:
        ts.down = false;
        close_kinds(e.target,
                    {incident_kind::crash, incident_kind::clean_exit, incident_kind::stopped,
                     incident_kind::not_ready},
                    "ready", e.at);
        break;
      case process_event_kind::not_ready: not_ready(e, ts); break;
    }
  }

  // --- console events

  /**
   * A panic the process lived through (or whose exit never came). The same panic seen again while
   * its incident is open joins it: one incident per ongoing problem, however often it is hit.
   */
  void open_panic_incident(const std::string& target_name, const incident_panic& p, incident_time at) {
    for (auto& o : open) {
      if (o.inc.target == target_name && o.inc.kind == incident_kind::panic && !o.inc.panics.empty() &&
          same_panic(o.inc.panics.front(), p)) {
        join_panic(o, at);
        return;
      }
    }
    auto inc = new_incident(target_name, incident_kind::panic, at);
    attach_panic(inc, p, at.mono);
    attach_probe_starts(inc);  // context only: the process lived, so nothing is attributed
    record_trigger(inc, at.mono);
    inc.summary = panic_summary(p, 1);
    open_incident(std::move(inc), at.mono + options.panic_quiet, at.mono - options.window_before,
                  at.mono + options.window_after);
  }

  /** A repeat: counted, its trigger noted, the quiet period and the collecting window pushed out. */
  void join_panic(open_entry& o, incident_time at) {
    auto& inc = o.inc;
    ++inc.occurrences;
    if (at.mono > inc.last_occurrence.mono) {
      inc.last_occurrence = at;
    }
    record_trigger(inc, at.mono);
    inc.summary = bounded_text(panic_summary(inc.panics.front(), inc.occurrences), max_summary_bytes);
    // Failures that ended before this repeat was parsed (the probe saw its connection close
    // first) are in the evidence already; take those the incident was not collecting for.
    const auto limit = o.collect_limit();
    for (const auto& f : evidence.failures_since(inc.target, at.mono - options.window_before)) {
      if (!limit || f.at > *limit) {
        attach_failure(inc, f.failure, f.at);
      }
    }
    const time_point quiet_end = at.mono + options.panic_quiet;
    const time_point collect_end = at.mono + options.window_after;
    o.deadline = o.deadline ? std::max(*o.deadline, quiet_end) : quiet_end;
    o.collect_until = o.collect_until ? std::max(*o.collect_until, collect_end) : collect_end;
  }

  /** An aborting block seen after its exit (the pidfd fired before the block's quiet time ended). */
  bool join_open_exit(const std::string& target_name, const incident_panic& p, time_point at) {
    for (auto& o : open) {
      auto& inc = o.inc;
      if (inc.target == target_name &&
          (inc.kind == incident_kind::crash || inc.kind == incident_kind::clean_exit) &&
          at >= inc.opened_at.mono - options.panic_window && at <= inc.opened_at.mono + options.late_panic) {
        attach_panic(inc, p, at);
        if (inc.panics.size() == 1) {
          inc.summary = bounded_text(inc.summary + "; panic: " + first_line_of(p.message), max_summary_bytes);
        }
        return true;
      }
    }
    return false;
  }

  void console_line(const console_event& e) {
    auto& ts = target(e.target);
    if (e.beat) {
      heartbeat_seen(ts, e.target, *e.beat, e.time.mono);
    } else if (e.kind == console_event_kind::panic && e.panic) {
      const auto& d = *e.panic;
      const incident_time at = d.first_line.mono != time_point{}
                                   ? incident_time{d.first_line.wall, d.first_line.mono}
                                   : incident_time{e.time.wall, e.time.mono};
      auto p = make_incident_panic(d, {});
      if (d.caught) {
        open_panic_incident(e.target, p, at);
      } else if (!join_open_exit(e.target, p, at.mono)) {
        evidence.add(incident_evidence::panic{e.target, std::move(p), at});  // waits for its exit
      }
    } else if (e.kind == console_event_kind::http_handler_panicked) {
      // A lone `[mesh-rt] HTTP handler panicked` line: caught, but its block was lost.
      panic_details d;
      d.caught = true;
      d.message = e.detail;
      d.lines.push_back(e.line);
      open_panic_incident(e.target, make_incident_panic(d, {}), {e.time.wall, e.time.mono});
    } else if (e.severity >= console_severity::warning) {
      incident_console_line line{e.kind, bounded_text(e.line, incident_limits::max_line_bytes), {}};
      attach_console_line(e.target, line, e.time.mono);
      evidence.add(incident_evidence::console_line{e.target, std::move(line), e.time.mono});
    }
  }

  /**
   * A line read just after an exit was mostly printed before it (pipes and files are read after
   * the child is reaped): it joins the exit's last lines, which keep the newest max_last_lines.
   */
  void tail_line(const std::string& target_name, const meshwatch::console_line& l) {
    incident_log_line line{bounded_text(l.text, incident_limits::max_line_bytes), l.stream, {}};
    const time_point at = l.received.mono;
    for (auto& o : open) {
      auto& inc = o.inc;
      if (inc.target == target_name &&
          (inc.kind == incident_kind::crash || inc.kind == incident_kind::clean_exit) &&
          at >= inc.opened_at.mono && at <= inc.opened_at.mono + options.late_panic) {
        inc.last_lines.push_back(std::move(line));
        inc.last_lines.back().offset = offset_between(inc.opened_at.mono, at);
        if (inc.last_lines.size() > incident_limits::max_last_lines) {
          inc.last_lines.erase(inc.last_lines.begin());
        }
        return;
      }
    }
    evidence.add_tail(target_name, {std::move(line), at});
  }

  /** An error line while an incident is open joins it, as failing probes do (bounded: the first ones). */
  void attach_console_line(const std::string& target_name, const incident_console_line& line, time_point at) {
    for (auto& o : open) {
      auto& inc = o.inc;
      const auto limit = o.collect_limit();
      if (inc.target != target_name || at < inc.opened_at.mono || (limit && at > *limit) ||
          inc.console.size() >= incident_limits::max_console_lines) {
        continue;
      }
      inc.console.push_back(line);
      inc.console.back().offset = offset_between(inc.opened_at.mono, at);
    }
  }

  void heartbeat_seen(target_state& ts, const std::string& target_name, heartbeat h, time_point at) {
    if (!ts.beats) {
      ts.beats.emplace(at);
    }
    ts.beats->seen(h, at);
    ts.armed[static_cast<std::size_t>(h)] = true;
    if (is_open(target_name, incident_kind::heartbeat_stale) && !stale_beat(ts, at)) {
      close_kinds(target_name, {incident_kind::heartbeat_stale}, "heartbeat_resumed", at);
    }
  }

  /**
   * The first armed heartbeat past its D4 alert age. Only lines seen in this process's life count,
   * so a target without a console (or a Mesher that never printed one) does not alarm.
   */
  std::optional<heartbeat> stale_beat(const target_state& ts, time_point now) const {
    if (!ts.beats || ts.down) {
      return std::nullopt;
    }
    for (auto h : all_heartbeats) {
      if (ts.armed[static_cast<std::size_t>(h)] && ts.beats->state(h, now) == heartbeat_state::alert) {
        return h;
      }
    }
    return std::nullopt;
  }

  // --- probe results

  void probe_result_in(const probe_result& r) {
    if (r.passed || r.inconclusive) {
      return;
    }
    auto failure =
        make_incident_probe_failure(r.probe, r.route, r.reason, r.detail, r.http_status, r.starting, {});
    const time_point now = clocks.steady();
    for (auto& o : open) {
      const auto limit = o.collect_limit();
      if (o.inc.target != r.target || r.started < o.inc.opened_at.mono - options.window_before ||
          (limit && r.started > *limit)) {
        continue;
      }
      attach_failure(o.inc, failure, r.started);
      if (o.inc.kind == incident_kind::endpoint_outage && !r.starting) {
        // An outage lasts while probes keep failing: each failure pushes its end out.
        o.deadline = std::max(*o.deadline, now + options.window_after);
      }
    }
    evidence.add(incident_evidence::failure{r.target, std::move(failure), r.started});

    // endpoint_outage: many probes failing together while the process lives and nothing else
    // already explains it (a crash, not_ready, a panic: failures attach there instead).
    auto& ts = target(r.target);
    if (r.starting || ts.down || explained(r.target, r.started)) {
      return;
    }
    const auto set = evidence.failing_since(r.target, r.started - options.outage_window);
    if (set.distinct_probes < options.outage_probes || !set.earliest) {
      return;
    }
    const time_point earliest = *set.earliest;
    const auto wall =
        r.started_wall - duration_cast<std::chrono::system_clock::duration>(r.started - earliest);
    auto inc = new_incident(r.target, incident_kind::endpoint_outage, {wall, earliest});
    inc.summary = std::to_string(set.distinct_probes) + " probes failing within " +
                  std::to_string(options.outage_window.count()) + " ms while the process lives";
    open_incident(std::move(inc), now + options.window_after, earliest - options.window_before);
  }

  // --- time

  void expire(time_point now) {
    // Aborting panics whose exit never came: the watcher missed it, or the process survived.
    for (const auto& p : evidence.take_panics_before(now - options.panic_exit_grace)) {
      open_panic_incident(p.target, p.panic, p.at);
    }
    for (std::size_t i = 0; i < open.size();) {
      if (open[i].deadline && *open[i].deadline <= now) {
        // A panic incident ends when its panic stopped repeating, not when a window passed.
        close_at(i, open[i].inc.kind == incident_kind::panic ? "quiet_period_passed" : "window_passed", now);
      } else {
        ++i;
      }
    }
    if (options.heartbeat_incidents) {
      for (auto& [name, ts] : targets) {
        const auto h = stale_beat(ts, now);
        if (h && !is_open(name, incident_kind::heartbeat_stale)) {
          const auto age = duration_cast<std::chrono::seconds>(ts.beats->age(*h, now));
          auto inc = new_incident(name, incident_kind::heartbeat_stale, {clocks.wall(), now});
          inc.detail =
              std::string(to_string(*h)) + " line not seen for " + std::to_string(age.count()) + " s";
          inc.summary = "heartbeat stale: " + inc.detail;
          open_incident(std::move(inc), std::nullopt, now - options.window_before);
        }
      }
    }
    const auto keep = std::max({options.window_before, options.outage_window, options.probe_before_window,
                                options.attribution_window}) +
                      options.window_after;
    evidence.prune(now - keep);
  }

  std::optional<time_point> next_deadline() const {
    std::optional<time_point> next;
    auto consider = [&](time_point t) {
      if (!next || t < *next) {
        next = t;
      }
    };
    for (const auto& o : open) {
      if (o.deadline) {
        consider(*o.deadline);
      }
    }
    if (auto oldest = evidence.oldest_panic()) {
      consider(*oldest + options.panic_exit_grace);
    }
    if (options.heartbeat_incidents) {
      for (const auto& [name, ts] : targets) {
        if (!ts.beats || ts.down || is_open(name, incident_kind::heartbeat_stale)) {
          continue;
        }
        for (auto h : all_heartbeats) {
          const auto last = ts.beats->last_seen(h);
          if (ts.armed[static_cast<std::size_t>(h)] && last) {
            // state() says alert strictly after alert_after.
            consider(*last + heartbeat_tracker::alert_after(h) + milliseconds{1});
          }
        }
      }
    }
    return next;
  }
};

incident_correlator::incident_correlator(incident_correlator_options options, incident_clocks clocks,
                                         incident_callbacks callbacks)
    : s_(std::make_unique<state>(options, std::move(clocks), std::move(callbacks))) {}

incident_correlator::~incident_correlator() = default;

void incident_correlator::on_process_event(const process_event& e) {
  s_->expire(s_->clocks.steady());
  s_->process(e);
  s_->flush();
}

void incident_correlator::on_console_event(const console_event& e) {
  s_->expire(s_->clocks.steady());
  s_->console_line(e);
  s_->flush();
}

void incident_correlator::on_console_line(const std::string& target, const console_line& line) {
  s_->tail_line(target, line);
}

void incident_correlator::on_probe_result(const probe_result& r) {
  s_->expire(s_->clocks.steady());
  s_->probe_result_in(r);
  s_->flush();
}

void incident_correlator::note_probe_started(std::string_view probe, std::string_view target,
                                             std::string_view route, time_point at) {
  s_->evidence.add(incident_evidence::probe_start{bounded_text(probe, incident_limits::max_name_bytes),
                                                  bounded_text(target, incident_limits::max_name_bytes),
                                                  bounded_text(route, incident_limits::max_route_bytes), at});
}

void incident_correlator::tick() {
  s_->expire(s_->clocks.steady());
  s_->flush();
}

std::optional<incident_correlator::time_point> incident_correlator::next_deadline() const {
  return s_->next_deadline();
}

void incident_correlator::close_all(std::string_view reason) {
  const auto now = s_->clocks.steady();
  while (!s_->open.empty()) {
    s_->close_at(0, reason, now);
  }
  s_->flush();
}

bool incident_correlator::suspended(const std::string& target, const std::string& probe) const {
  auto it = s_->targets.find(target);
  return it != s_->targets.end() && it->second.attribution.suspended(probe);
}

void incident_correlator::resume(const std::string& target, const std::string& probe) {
  s_->target(target).attribution.resume(probe);
}

const std::deque<incident>& incident_correlator::recent() const { return s_->recent; }

std::vector<incident> incident_correlator::open_incidents() const {
  std::vector<incident> out;
  out.reserve(s_->open.size());
  for (const auto& o : s_->open) {
    out.push_back(o.inc);
  }
  return out;
}

std::size_t incident_correlator::open_count(const std::string& target) const {
  return static_cast<std::size_t>(std::count_if(s_->open.begin(), s_->open.end(),
                                                [&](const open_entry& o) { return o.inc.target == target; }));
}

incident_correlator::sizes incident_correlator::memory() const {
  const auto& ev = s_->evidence;
  return {ev.probe_starts(), ev.probe_failures(), ev.panics(),      ev.console_lines(),
          ev.tail_lines(),   s_->open.size(),     s_->recent.size()};
}

}  // namespace meshwatch

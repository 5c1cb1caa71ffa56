#include "daemon/process/process_locator.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <stdexcept>

#include <re2/re2.h>

#include "daemon/proc_sampler.hpp"

namespace meshwatch {
namespace {

constexpr pid_t pid_max_limit = 4 * 1024 * 1024;  // the kernel's PID_MAX_LIMIT on 64-bit
// A pidfile is written after the process starts. Start times come from the whole-second
// boot time plus ticks, so allow that much error before calling the file stale.
constexpr std::int64_t start_time_slack_ns = 2'000'000'000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::optional<std::string> read_bounded(const std::string& path, std::size_t max_bytes,
                                        bool* truncated = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  // One byte more than allowed tells "exactly at the limit" from "over it".
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (truncated != nullptr) {
    *truncated = text.size() > max_bytes;
  }
  if (text.size() > max_bytes) {
    text.resize(max_bytes);
  }
  return text;
}

std::optional<file_stamp> stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  return file_stamp{static_cast<std::uint64_t>(st.st_ino),
                    static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                    static_cast<std::int64_t>(st.st_size)};
}

std::int64_t boot_time_ns(const std::string& proc_root) {
  auto text = read_bounded(proc_root + "/stat", 256 * 1024);
  if (!text) {
    return 0;
  }
  auto pos = text->find("\nbtime ");
  if (pos == std::string::npos) {
    return 0;
  }
  return std::strtoll(text->c_str() + pos + 7, nullptr, 10) * 1'000'000'000;
}

std::int64_t start_time_ns(const process_identity& id, const std::string& proc_root) {
  static const std::int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  return boot_time_ns(proc_root) +
         static_cast<std::int64_t>(id.start_ticks) * (1'000'000'000 / ticks_per_second);
}

/** State letter after "comm) "; 'Z' and 'X' are gone for our purposes. */
bool is_zombie(pid_t pid, const std::string& proc_root) {
  auto text = read_bounded(proc_root + "/" + std::to_string(pid) + "/stat", 4096);
  if (!text) {
    return true;
  }
  auto close = text->rfind(')');
  if (close == std::string::npos || close + 2 >= text->size()) {
    return true;
  }
  char state = (*text)[close + 2];
  return state == 'Z' || state == 'X';
}

/** The earliest-started live process of `pids`: the main process of a unit or a match. */
std::optional<process_identity> oldest_live(const std::vector<pid_t>& pids, const std::string& proc_root) {
  std::optional<process_identity> best;
  for (pid_t pid : pids) {
    auto id = read_process_identity(pid, proc_root);
    if (!id || is_zombie(pid, proc_root)) {
      continue;
    }
    if (!best || id->start_ticks < best->start_ticks ||
        (id->start_ticks == best->start_ticks && id->pid < best->pid)) {
      best = id;
    }
  }
  return best;
}

}  // namespace

std::optional<pid_t> parse_pidfile(std::string_view text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<pid_t> {
    if (error != nullptr) {
      *error = why;
    }
    return std::nullopt;
  };
  if (text.size() > max_pidfile_bytes) {
    return fail("pidfile is too large to hold a PID");
  }
  std::size_t begin = 0;
  while (begin < text.size() && is_space(text[begin])) {
    ++begin;
  }
  std::size_t end = text.size();
  while (end > begin && is_space(text[end - 1])) {
    --end;
  }
  auto digits = text.substr(begin, end - begin);
  if (digits.empty()) {
    return fail("pidfile is empty");
  }
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return fail("pidfile does not hold a single decimal PID");
  }
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value > pid_max_limit) {
    return fail("PID in pidfile is out of range");
  }
  if (value <= 0) {
    return fail("PID in pidfile must be positive");
  }
  return static_cast<pid_t>(value);
}

std::vector<pid_t> parse_cgroup_procs(std::string_view text, std::size_t max_pids) {
  std::vector<pid_t> pids;
  std::size_t pos = 0;
  while (pos < text.size() && pids.size() < max_pids) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (auto pid = parse_pidfile(line)) {
      pids.push_back(*pid);
    }
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
  }
  return pids;
}

std::vector<std::string> cgroup_procs_candidates(std::string_view unit, std::string_view cgroup_root) {
  std::string name(unit);
  if (name.find('/') == std::string::npos && name.find('.') == std::string::npos) {
    name += ".service";
  }
  std::string relative = name.find('/') != std::string::npos ? name : "system.slice/" + name;
  std::string root(cgroup_root);
  return {root + "/" + relative + "/cgroup.procs", root + "/unified/" + relative + "/cgroup.procs",
          root + "/systemd/" + relative + "/cgroup.procs"};
}

struct process_locator::matcher {
  explicit matcher(const std::string& pattern) : re(pattern, RE2::Quiet) {}
  RE2 re;
};

process_locator::process_locator(process_selector selector, locator_options options)
    : selector_(std::move(selector)), options_(std::move(options)) {
  if (std::holds_alternative<process_exec>(selector_)) {
    throw std::invalid_argument("process_locator: an exec selector is spawned, not located");
  }
  if (options_.self_pid == 0) {
    options_.self_pid = getpid();
  }
  if (const auto* m = std::get_if<process_match>(&selector_)) {
    matcher_ = std::make_unique<matcher>(m->pattern);
    if (!matcher_->re.ok()) {
      throw std::invalid_argument("process.match: invalid regular expression: " + matcher_->re.error());
    }
  }
}

process_locator::~process_locator() = default;

std::string process_locator::describe() const {
  if (const auto* p = std::get_if<process_pidfile>(&selector_)) {
    return "pidfile " + p->path;
  }
  if (const auto* u = std::get_if<process_systemd_unit>(&selector_)) {
    return "systemd unit " + u->unit;
  }
  if (const auto* m = std::get_if<process_match>(&selector_)) {
    return "match /" + m->pattern + "/";
  }
  return "exec";
}

std::optional<process_identity> process_locator::locate() {
  last_error_.clear();
  if (const auto* p = std::get_if<process_pidfile>(&selector_)) {
    return locate_pidfile(*p);
  }
  if (const auto* u = std::get_if<process_systemd_unit>(&selector_)) {
    return locate_unit(*u);
  }
  return locate_match();
}

void process_locator::on_exited(const process_identity& /*exited*/) {
  if (std::holds_alternative<process_pidfile>(selector_)) {
    distrusted_stamp_ = last_pidfile_stamp_;
  }
}

std::optional<process_identity> process_locator::locate_pidfile(const process_pidfile& s) {
  auto stamp = stamp_of(s.path);
  if (!stamp) {
    last_error_ = "pidfile " + s.path + " does not exist";
    return std::nullopt;
  }
  if (distrusted_stamp_ && *distrusted_stamp_ == *stamp) {
    last_error_ = "pidfile " + s.path + " still names the process that exited";
    return std::nullopt;
  }
  bool truncated = false;
  auto text = read_bounded(s.path, max_pidfile_bytes, &truncated);
  if (!text) {
    last_error_ = "pidfile " + s.path + " is not readable";
    return std::nullopt;
  }
  std::string why;
  auto pid = truncated ? std::nullopt : parse_pidfile(*text, &why);
  if (!pid) {
    last_error_ = "pidfile " + s.path + ": " + (truncated ? "too large to hold a PID" : why);
    return std::nullopt;
  }
  auto id = read_process_identity(*pid, options_.proc_root);
  if (!id || is_zombie(*pid, options_.proc_root)) {
    last_error_ = "pidfile " + s.path + " names PID " + std::to_string(*pid) + ", which is not running";
    return std::nullopt;
  }
  // A process that started after the pidfile was last written cannot be the one that wrote
  // it: the PID was reused by something else.
  if (start_time_ns(*id, options_.proc_root) > stamp->mtime_ns + start_time_slack_ns) {
    last_error_ = "pidfile " + s.path + " is stale: PID " + std::to_string(*pid) +
                  " belongs to a process started after the file was written";
    return std::nullopt;
  }
  last_pidfile_stamp_ = stamp;
  distrusted_stamp_.reset();
  return id;
}

std::optional<process_identity> process_locator::locate_unit(const process_systemd_unit& s) {
  for (const auto& path : cgroup_procs_candidates(s.unit, options_.cgroup_root)) {
    // cgroup.procs of a unit with thousands of processes is still bounded by the read size.
    auto text = read_bounded(path, max_cgroup_pids * 12);
    if (!text) {
      continue;
    }
    auto pids = parse_cgroup_procs(*text);
    if (pids.empty()) {
      last_error_ = "systemd unit " + s.unit + " has no processes (" + path + ")";
      return std::nullopt;
    }
    if (auto id = oldest_live(pids, options_.proc_root)) {
      return id;
    }
    last_error_ = "systemd unit " + s.unit + ": no live process in " + path;
    return std::nullopt;
  }
  last_error_ = "systemd unit " + s.unit + ": no cgroup under " + options_.cgroup_root +
                " (cgroup v2, hybrid and v1 layouts tried; unit not running?)";
  return std::nullopt;
}

std::optional<process_identity> process_locator::locate_match() {
  DIR* dir = opendir(options_.proc_root.c_str());
  if (dir == nullptr) {
    last_error_ = "cannot read " + options_.proc_root;
    return std::nullopt;
  }
  std::vector<pid_t> matches;
  std::size_t scanned = 0;
  while (dirent* entry = readdir(dir)) {
    if (++scanned > options_.max_scan) {
      break;
    }
    std::string name = entry->d_name;
    auto pid = parse_pidfile(name);
    if (!pid || *pid == options_.self_pid) {
      continue;
    }
    const std::string base = options_.proc_root + "/" + name;
    auto comm = read_bounded(base + "/comm", 64);
    if (!comm) {
      continue;
    }
    while (!comm->empty() && comm->back() == '\n') {
      comm->pop_back();
    }
    bool hit = RE2::PartialMatch(*comm, matcher_->re);
    if (!hit) {
      auto cmdline = read_bounded(base + "/cmdline", max_cmdline_bytes);
      if (cmdline && !cmdline->empty()) {
        // Arguments are NUL-separated; match against them joined by spaces, like ps shows.
        std::replace(cmdline->begin(), cmdline->end(), '\0', ' ');
        while (!cmdline->empty() && cmdline->back() == ' ') {
          cmdline->pop_back();
        }
        hit = RE2::PartialMatch(*cmdline, matcher_->re);
      }
    }
    if (hit) {
      matches.push_back(*pid);
    }
  }
  closedir(dir);
  if (auto id = oldest_live(matches, options_.proc_root)) {
    return id;
  }
  last_error_ = "no process matches " + describe();
  return std::nullopt;
}

}  // namespace meshwatch

#include "daemon/proc_sampler.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace meshwatch {
namespace {

constexpr std::size_t max_proc_file_bytes = 64 * 1024;  // stat/limits are < 2 KiB
constexpr std::int64_t max_counted_fds = 1 << 22;       // stop counting a runaway table

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text(max_proc_file_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

double boot_time_seconds() {
  auto text = read_small_file("/proc/stat");
  if (!text) {
    return 0;
  }
  auto pos = text->find("\nbtime ");
  if (pos == std::string::npos) {
    return 0;
  }
  return std::strtod(text->c_str() + pos + 7, nullptr);
}

/** "socket:[12345]" → 12345; 0 for anything else (files, pipes, anon inodes). */
std::uint64_t socket_inode_of(std::string_view link) {
  constexpr std::string_view prefix = "socket:[";
  if (!link.starts_with(prefix) || !link.ends_with(']')) {
    return 0;
  }
  auto digits = link.substr(prefix.size(), link.size() - prefix.size() - 1);
  std::uint64_t inode = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  return ec == std::errc() && p == digits.data() + digits.size() ? inode : 0;
}

std::int64_t count_open_fds(pid_t pid, std::vector<std::uint64_t>* socket_inodes, std::size_t max_inodes) {
  std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    return -1;
  }
  std::int64_t count = 0;
  char link[64];
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    ++count;
    // One readlink per fd, only when asked for and only up to the bound: the same walk
    // serves the fd count and the socket ownership of the CLOSE_WAIT count.
    if (socket_inodes != nullptr && socket_inodes->size() < max_inodes) {
      auto n = ::readlinkat(::dirfd(dir), entry->d_name, link, sizeof link);
      if (n > 0) {
        if (auto inode = socket_inode_of(std::string_view(link, static_cast<std::size_t>(n)))) {
          socket_inodes->push_back(inode);
        }
      }
    }
    if (count >= max_counted_fds) {
      break;
    }
  }
  closedir(dir);
  return count;
}

}  // namespace

std::optional<proc_stat_fields> parse_proc_stat(std::string_view text) {
  // Fields after comm start at field 3 (state); comm is the only field that can contain
  // spaces or ')', so split after its last ')'.
  auto close = text.rfind(')');
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string_view> fields;
  std::size_t pos = close + 1;
  while (pos < text.size() && fields.size() < 40) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) ++pos;
    auto end = text.find_first_of(" \n", pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) fields.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  // fields[0] is field 3 (state); field N is fields[N - 3].
  if (fields.size() < 22) {
    return std::nullopt;
  }
  auto number = [&](int field, auto& out) {
    auto s = fields[static_cast<std::size_t>(field - 3)];
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  proc_stat_fields f;
  if (!number(14, f.utime_ticks) || !number(15, f.stime_ticks) || !number(20, f.threads) ||
      !number(22, f.start_ticks) || !number(23, f.vsize) || !number(24, f.rss_pages)) {
    return std::nullopt;
  }
  return f;
}

std::int64_t parse_max_open_files(std::string_view limits_text) {
  auto pos = limits_text.find("Max open files");
  if (pos == std::string_view::npos) {
    return -1;
  }
  std::istringstream line(std::string(limits_text.substr(pos + 14, 80)));
  std::string soft;
  line >> soft;
  if (soft == "unlimited") {
    return -1;
  }
  std::int64_t value = -1;
  auto [p, ec] = std::from_chars(soft.data(), soft.data() + soft.size(), value);
  return ec == std::errc() ? value : -1;
}

std::optional<proc_sample> sample_process(pid_t pid, std::vector<std::uint64_t>* socket_inodes,
                                          std::size_t max_socket_inodes) {
  const std::string base = "/proc/" + std::to_string(pid);
  auto stat_text = read_small_file(base + "/stat");
  if (!stat_text) {
    return std::nullopt;
  }
  auto stat = parse_proc_stat(*stat_text);
  if (!stat) {
    return std::nullopt;
  }
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));
  proc_sample s;
  s.cpu_seconds = static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second;
  s.resident_bytes = static_cast<std::uint64_t>(static_cast<double>(stat->rss_pages) * page_size);
  s.virtual_bytes = stat->vsize;
  s.threads = stat->threads;
  s.start_time_seconds = boot_time_seconds() + static_cast<double>(stat->start_ticks) / ticks_per_second;
  s.open_fds = count_open_fds(pid, socket_inodes, max_socket_inodes);
  if (auto limits = read_small_file(base + "/limits")) {
    s.max_fds = parse_max_open_files(*limits);
  }
  return s;
}

}  // namespace meshwatch

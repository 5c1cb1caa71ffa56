#include "daemon/process/environment_snapshot.hpp"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "daemon/proc_sampler.hpp"

namespace meshwatch {
namespace {

constexpr std::string_view deleted_suffix = " (deleted)";

std::optional<std::string> read_bounded(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text(max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

bool looks_secret(std::string_view name) {
  for (std::string_view word : {"PASSWORD", "SECRET", "TOKEN", "COOKIE", "KEY"}) {
    if (name.find(word) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

/**
 * FNV-1a over the binary through /proc/<pid>/exe, so a replaced file still hashes what
 * actually runs. Bounded: a large binary hashes its first and last max_bytes/2 (plus its
 * size in the snapshot), which catches rebuilds while keeping the loop unblocked (~ms).
 */
void hash_binary(const std::string& exe_link, std::size_t max_bytes, environment_snapshot& out) {
  std::ifstream in(exe_link, std::ios::binary);
  if (!in || out.binary_size < 0) {
    return;
  }
  auto size = static_cast<std::size_t>(out.binary_size);
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64 offset basis
  std::vector<char> buffer(64 * 1024);
  std::size_t hashed = 0;
  auto hash_range = [&](std::size_t offset, std::size_t length) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    while (length > 0 && in) {
      auto want = std::min(buffer.size(), length);
      in.read(buffer.data(), static_cast<std::streamsize>(want));
      auto got = static_cast<std::size_t>(in.gcount());
      for (std::size_t i = 0; i < got; ++i) {
        hash ^= static_cast<unsigned char>(buffer[i]);
        hash *= 1099511628211ull;
      }
      hashed += got;
      length -= got;
      if (got < want) {
        break;
      }
    }
  };
  if (size <= max_bytes) {
    hash_range(0, size);
  } else {
    hash_range(0, max_bytes / 2);
    hash_range(size - max_bytes / 2, max_bytes / 2);
  }
  out.binary_hash = fmt::format("{:016x}", hash);
  out.binary_hashed_bytes = static_cast<std::int64_t>(hashed);
  out.binary_hash_complete = hashed >= size;
}

std::string cgroup_cpu_quota(pid_t pid) {
  auto text = read_bounded("/proc/" + std::to_string(pid) + "/cgroup", 4096);
  if (!text) {
    return "";
  }
  // The cgroup v2 line is "0::/path".
  auto pos = text->find("0::");
  if (pos == std::string::npos) {
    return "";
  }
  auto end = text->find('\n', pos);
  std::string path = text->substr(pos + 3, end == std::string::npos ? std::string::npos : end - pos - 3);
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (auto max = read_bounded(std::string(root) + path + "/cpu.max", 128)) {
      while (!max->empty() && max->back() == '\n') {
        max->pop_back();
      }
      return *max;
    }
  }
  return "";
}

}  // namespace

std::string mask_url_password(std::string_view value) {
  auto scheme = value.find("://");
  if (scheme == std::string_view::npos) {
    return std::string(value);
  }
  auto authority_end = value.find_first_of("/?#", scheme + 3);
  auto at = value.rfind('@', authority_end == std::string_view::npos ? value.size() : authority_end);
  if (at == std::string_view::npos || at < scheme + 3) {
    return std::string(value);
  }
  auto colon = value.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) {
    return std::string(value);
  }
  return std::string(value.substr(0, colon + 1)) + "***" + std::string(value.substr(at));
}

std::vector<std::pair<std::string, std::string>> parse_mesher_environ(std::string_view block,
                                                                      const snapshot_limits& limits) {
  std::vector<std::pair<std::string, std::string>> vars;
  std::size_t pos = 0;
  while (pos < block.size() && vars.size() < limits.max_env_vars) {
    auto end = block.find('\0', pos);
    auto entry = block.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? block.size() : end + 1;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos || !entry.starts_with("MESHER_")) {
      continue;
    }
    std::string name(entry.substr(0, eq));
    std::string value = looks_secret(name) ? "***" : mask_url_password(entry.substr(eq + 1));
    if (value.size() > limits.max_env_value_bytes) {
      value.resize(limits.max_env_value_bytes);
      value += "…";
    }
    vars.emplace_back(std::move(name), std::move(value));
  }
  return vars;
}

std::int64_t parse_soft_limit(std::string_view limits_text, std::string_view row) {
  auto pos = limits_text.find(row);
  if (pos == std::string_view::npos) {
    return -1;
  }
  // Columns: name (padded to 26), soft, hard, units.
  auto rest = limits_text.substr(pos + row.size());
  auto start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    return -1;
  }
  auto end = rest.find_first_of(" \n", start);
  auto soft = rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  std::int64_t value = -1;
  auto [p, ec] = std::from_chars(soft.data(), soft.data() + soft.size(), value);
  return ec == std::errc() && p == soft.data() + soft.size() ? value : -1;
}

environment_snapshot take_environment_snapshot(pid_t pid, const snapshot_limits& limits) {
  environment_snapshot snap;
  snap.pid = pid;
  const std::string base = "/proc/" + std::to_string(pid);
  if (auto sample = sample_process(pid)) {
    snap.start_time_seconds = sample->start_time_seconds;
  }

  std::string target(4096, '\0');
  ssize_t n = ::readlink((base + "/exe").c_str(), target.data(), target.size());
  if (n > 0) {
    target.resize(static_cast<std::size_t>(n));
    if (target.ends_with(deleted_suffix)) {
      snap.binary_deleted = true;
      target.resize(target.size() - deleted_suffix.size());
    }
    snap.binary_path = target;
  }
  // stat through the exe link describes the running image even if the path was replaced.
  struct stat st {};
  if (::stat((base + "/exe").c_str(), &st) == 0) {
    snap.binary_size = static_cast<std::int64_t>(st.st_size);
    snap.binary_mtime_seconds =
        static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
    hash_binary(base + "/exe", limits.max_hash_bytes, snap);
  }

  snap.online_cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(pid, sizeof set, &set) == 0) {
    snap.affinity_cpus = CPU_COUNT(&set);
  }
  snap.cpu_quota = cgroup_cpu_quota(pid);

  if (auto text = read_bounded(base + "/limits", 8192)) {
    snap.max_open_files = parse_soft_limit(*text, "Max open files");
    snap.max_core_bytes = parse_soft_limit(*text, "Max core file size");
  }
  if (auto block = read_bounded(base + "/environ", limits.max_environ_bytes)) {
    snap.environ_readable = true;
    snap.mesher_env = parse_mesher_environ(*block, limits);
  }
  return snap;
}

std::string describe(const environment_snapshot& s) {
  std::string env;
  for (const auto& [name, value] : s.mesher_env) {
    env += fmt::format(" {}={}", name, value);
  }
  return fmt::format(
      "pid={} binary={}{} size={} mtime={:.0f} hash={}{} cpus={} affinity={} cpu.max='{}' nofile={} "
      "core={}{}",
      s.pid, s.binary_path.empty() ? "?" : s.binary_path, s.binary_deleted ? " (deleted)" : "", s.binary_size,
      s.binary_mtime_seconds, s.binary_hash.empty() ? "?" : s.binary_hash,
      s.binary_hash_complete ? "" : "(partial)", s.online_cpus, s.affinity_cpus, s.cpu_quota,
      s.max_open_files, s.max_core_bytes, env);
}

}  // namespace meshwatch

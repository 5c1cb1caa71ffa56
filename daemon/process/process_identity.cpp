#include "daemon/process/process_identity.hpp"

#include <fstream>

#include "daemon/proc_sampler.hpp"

namespace meshwatch {
namespace {

constexpr std::size_t max_stat_bytes = 4096;  // a stat line is < 1 KiB even with a 16-byte comm

}  // namespace

std::optional<process_identity> read_process_identity(pid_t pid, const std::string& proc_root) {
  if (pid <= 0) {
    return std::nullopt;
  }
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/stat", std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text(max_stat_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto fields = parse_proc_stat(text);
  if (!fields) {
    return std::nullopt;
  }
  return process_identity{pid, fields->start_ticks};
}

bool identity_alive(const process_identity& id, const std::string& proc_root) {
  auto now = read_process_identity(id.pid, proc_root);
  return now && *now == id;
}

}  // namespace meshwatch

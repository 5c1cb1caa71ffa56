#include "daemon/incidents/incident_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include <spdlog/spdlog.h>

#include "daemon/incidents/incident_json.hpp"

namespace meshwatch {

namespace {

std::string rotated_name(const std::filesystem::path& base, std::size_t n) {
  return base.string() + "." + std::to_string(n);
}

}  // namespace

incident_log::incident_log(incident_log_options options) : options_(std::move(options)) {}

incident_log::~incident_log() { close_file(); }

void incident_log::close_file() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool incident_log::fail(std::string_view what, int error) {
  ++errors_;
  if (!failing_) {
    failing_ = true;
    spdlog::error("incident log {}: {} failed: {} (further errors are counted, not logged)",
                  options_.path.string(), what, std::error_code(error, std::generic_category()).message());
  }
  return false;
}

void incident_log::succeeded() {
  if (failing_) {
    failing_ = false;
    spdlog::info("incident log {}: writing again after {} errors", options_.path.string(), errors_);
  }
}

bool incident_log::ensure_open() {
  if (fd_ >= 0) {
    return true;
  }
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    return fail("open", errno);
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int error = errno;
    close_file();
    return fail("stat", error);
  }
  size_ = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  return true;
}

bool incident_log::rotate() {
  close_file();
  const auto& base = options_.path;
  if (options_.max_files == 0) {
    if (::unlink(base.c_str()) != 0 && errno != ENOENT) {
      return fail("unlink for rotation", errno);
    }
  } else {
    // Oldest first, so every rename lands on a free name: .N-1 → .N, …, base → .1.
    const auto oldest = rotated_name(base, options_.max_files);
    if (::unlink(oldest.c_str()) != 0 && errno != ENOENT) {
      return fail("unlink for rotation", errno);
    }
    for (std::size_t n = options_.max_files; n > 1; --n) {
      const auto from = rotated_name(base, n - 1);
      if (::rename(from.c_str(), rotated_name(base, n).c_str()) != 0 && errno != ENOENT) {
        return fail("rename for rotation", errno);
      }
    }
    if (::rename(base.c_str(), rotated_name(base, 1).c_str()) != 0 && errno != ENOENT) {
      return fail("rename for rotation", errno);
    }
  }
  ++rotations_;
  size_ = 0;
  return ensure_open();
}

bool incident_log::append(const incident& inc) { return append_line(incident_to_json(inc)); }

bool incident_log::append_line(std::string_view json) {
  if (!ensure_open()) {
    return false;
  }
  std::string line(json);
  line.push_back('\n');
  if (size_ > 0 && size_ + line.size() > options_.max_bytes) {
    if (!rotate()) {
      return false;
    }
  }
  // O_APPEND: one write() per line keeps lines whole even if someone else appends too.
  std::size_t done = 0;
  while (done < line.size()) {
    const auto n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int error = errno;
      // A partial line would corrupt the next one: the next append starts a fresh descriptor,
      // and a reader skips the broken line (JSON lines are independent).
      close_file();
      return fail("write", error);
    }
    done += static_cast<std::size_t>(n);
  }
  size_ += line.size();
  if (options_.sync == fsync_policy::every_append && ::fdatasync(fd_) != 0 && errno != EINVAL) {
    // EINVAL: the file does not support syncing (a pipe, /dev/null): the line is written anyway.
    const int error = errno;
    close_file();
    return fail("fdatasync", error);
  }
  ++lines_;
  succeeded();
  return true;
}

}  // namespace meshwatch

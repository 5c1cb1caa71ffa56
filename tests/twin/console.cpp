#include "tests/twin/console.hpp"

#include <unistd.h>

#include <cerrno>

namespace meshwatch::twin {

void console::write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed pipe raises SIGPIPE first (not ignored, as in Mesher)
    done += static_cast<std::size_t>(n);
  }
}

void console::out(const std::string& line) {
  std::unique_lock lock(out_mutex_);
  out_unblocked_.wait(lock, [this] { return !out_blocked_; });
  write_all(STDOUT_FILENO, line + "\n");
}

void console::err(const std::string& line) {
  std::lock_guard lock(err_mutex_);
  write_all(STDERR_FILENO, line + "\n");
}

void console::err_block(const std::string& text) {
  std::lock_guard lock(err_mutex_);
  write_all(STDERR_FILENO, text);
}

void console::set_stdout_blocked(bool blocked) {
  {
    std::lock_guard lock(out_mutex_);
    out_blocked_ = blocked;
  }
  out_unblocked_.notify_all();
}

bool console::stdout_blocked() const {
  std::lock_guard lock(out_mutex_);
  return out_blocked_;
}

}  // namespace meshwatch::twin

#include "daemon/process/pid_handle.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstring>

namespace meshwatch {
namespace asio = boost::asio;

int open_pidfd(pid_t pid) {
  // PIDFD_NONBLOCK is irrelevant here: the fd is only polled, never read.
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

std::optional<pid_handle> pid_handle::open(asio::any_io_executor executor, const process_identity& expected,
                                           std::string* error) {
  int fd = open_pidfd(expected.pid);
  if (fd < 0) {
    if (error != nullptr) {
      *error = std::string("pidfd_open(") + std::to_string(expected.pid) + "): " + std::strerror(errno);
    }
    return std::nullopt;
  }
  // The pidfd now pins *some* process with this PID. If its start time is still the
  // expected one, it is that process; if it differs, the PID was reused in between.
  auto now = read_process_identity(expected.pid);
  if (!now || *now != expected) {
    ::close(fd);
    if (error != nullptr) {
      *error = "PID " + std::to_string(expected.pid) + " exited or was reused before it could be watched";
    }
    return std::nullopt;
  }
  return pid_handle(asio::posix::stream_descriptor(executor, fd), expected);
}

pid_handle::pid_handle(asio::posix::stream_descriptor descriptor, process_identity identity)
    : descriptor_(std::move(descriptor)), identity_(identity), fd_(descriptor_.native_handle()) {}

pid_handle::~pid_handle() = default;

asio::awaitable<boost::system::error_code> pid_handle::wait_exit() {
  auto [ec] = co_await descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                                              asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

bool pid_handle::exited() const {
  pollfd p{fd(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

void pid_handle::cancel() { descriptor_.cancel(); }

bool pid_handle::send_signal(int signal) {
  return ::syscall(SYS_pidfd_send_signal, fd(), signal, nullptr, 0) == 0;
}

}  // namespace meshwatch

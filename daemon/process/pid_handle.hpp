#pragma once
// A pidfd for one process identity, awaitable on the loop: the descriptor turns readable
// when the process exits (any process, not only children; Linux >= 5.3). Opening checks the
// identity *after* pidfd_open, so the handle can never refer to a process that merely
// reused the PID. Internal to the process watcher (includes Asio).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <string>

#include "daemon/process/process_identity.hpp"

namespace meshwatch {

class pid_handle {
 public:
  /**
   * nullopt when the process is gone or is not `expected` any more; `error` says why
   * (ESRCH, EPERM, ENOSYS on old kernels …).
   */
  static std::optional<pid_handle> open(boost::asio::any_io_executor executor,
                                        const process_identity& expected, std::string* error = nullptr);

  pid_handle(pid_handle&&) = default;
  pid_handle& operator=(pid_handle&&) = default;
  ~pid_handle();

  const process_identity& identity() const { return identity_; }
  int fd() const { return fd_; }

  /** Completes when the process has exited (or with an error, e.g. operation_aborted). */
  boost::asio::awaitable<boost::system::error_code> wait_exit();
  bool exited() const;
  void cancel();

  /** pidfd_send_signal: cannot hit a reused PID. */
  bool send_signal(int signal);

 private:
  pid_handle(boost::asio::posix::stream_descriptor descriptor, process_identity identity);

  boost::asio::posix::stream_descriptor descriptor_;
  process_identity identity_;
  int fd_ = -1;  // owned by descriptor_; cached because native_handle() is not const
};

/** pidfd_open(2) through syscall (glibc 2.36 has no wrapper in Debian 12's headers). */
int open_pidfd(pid_t pid);

}  // namespace meshwatch

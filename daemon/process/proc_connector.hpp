#pragma once
// The kernel proc connector (netlink NETLINK_CONNECTOR, group CN_IDX_PROC): PROC_EVENT_EXIT
// carries the exit status of *any* process, which is the only way to classify the exit of
// a Mesher that is not our child. Subscribing needs CAP_NET_ADMIN in the initial user and
// PID namespaces (root on the host); elsewhere start() fails and exits stay `unknown`.
// Events for all processes arrive; only watched PIDs are kept (bounded).
#include <sys/types.h>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

class proc_connector {
 public:
  explicit proc_connector(boost::asio::io_context& io);
  ~proc_connector();
  proc_connector(const proc_connector&) = delete;
  proc_connector& operator=(const proc_connector&) = delete;

  /** Opens, binds and subscribes; false with `error` set when not permitted. */
  bool start(std::string* error = nullptr);
  void stop();
  bool active() const;

  /** Keep exits of `pid` from now on (an older record for it is dropped). */
  void watch(pid_t pid);
  void unwatch(pid_t pid);

  /**
   * The wait status (wait(2) format) of `pid`'s exit. The kernel sends the event just after
   * the pidfd turns readable, so this waits up to `timeout` for it; nullopt if it never
   * came (not active, or the event was lost to a receive-buffer overrun).
   */
  boost::asio::awaitable<std::optional<int>> await_exit(pid_t pid, std::chrono::milliseconds timeout);

  /** Events dropped by the kernel because we read too slowly (ENOBUFS). */
  std::uint64_t overruns() const;

  struct state;  // defined in the .cpp; public so its coroutine can name it

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

#pragma once
// The follow loop of the console sources that read a kernel-backed stream of their own (a file
// tailed like tail -F, the journal): read a bounded chunk; if more is waiting, yield to the loop
// and read on; if not, sleep for the poll interval, or less when something (inotify, the
// journal's fd) says there is news. Polling stays as the fallback when no wakeup is available.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace meshwatch {

class wakeable_poll {
 public:
  explicit wakeable_poll(boost::asio::io_context& io);

  /** Ends the current sleep early; if the loop is reading, it reads once more before sleeping. */
  void wake();
  /** Ends the current sleep; with `stopped` true the loop then returns. */
  void cancel();

  /**
   * Runs until `stopped()`: `step()` returns true while more is waiting (it is called again after
   * a yield), false when caught up. The caller keeps this object alive until the coroutine ends.
   */
  boost::asio::awaitable<void> run(std::function<bool()> step, std::function<bool()> stopped,
                                   std::chrono::milliseconds poll_interval);

 private:
  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  bool wake_pending_ = false;
};

}  // namespace meshwatch

#include "daemon/console/wakeable_poll.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace meshwatch {
namespace asio = boost::asio;

wakeable_poll::wakeable_poll(asio::io_context& io) : io_(io), timer_(io) {}

void wakeable_poll::wake() {
  wake_pending_ = true;
  timer_.cancel();
}

void wakeable_poll::cancel() { timer_.cancel(); }

asio::awaitable<void> wakeable_poll::run(std::function<bool()> step, std::function<bool()> stopped,
                                         std::chrono::milliseconds poll_interval) {
  while (!stopped()) {
    const bool more = step();
    if (stopped()) {
      co_return;
    }
    if (more || wake_pending_) {
      wake_pending_ = false;
      co_await asio::post(io_, asio::use_awaitable);  // let other work run between chunks
      continue;
    }
    timer_.expires_after(poll_interval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace meshwatch

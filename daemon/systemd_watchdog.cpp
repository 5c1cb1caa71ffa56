#include "daemon/systemd_watchdog.hpp"

#include <systemd/sd-daemon.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace meshwatch {
namespace asio = boost::asio;

struct systemd_watchdog::state {
  explicit state(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  std::chrono::microseconds period{};
  bool stopped = false;
};

namespace {

asio::awaitable<void> ping(std::shared_ptr<systemd_watchdog::state> s) {
  while (!s->stopped) {
    sd_notify(0, "WATCHDOG=1");
    s->timer.expires_after(s->period);
    auto [ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace

systemd_watchdog::systemd_watchdog(asio::io_context& io) : state_(std::make_shared<state>(io)) {}

systemd_watchdog::~systemd_watchdog() { stop(); }

std::chrono::microseconds systemd_watchdog::start() {
  std::uint64_t usec = 0;
  // 0 = not asking for the watchdog (or WATCHDOG_PID names another process).
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
    return std::chrono::microseconds{0};
  }
  state_->period = std::chrono::microseconds(usec / 2);
  asio::co_spawn(state_->timer.get_executor(), ping(state_), asio::detached);
  return std::chrono::microseconds(usec);
}

void systemd_watchdog::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

}  // namespace meshwatch

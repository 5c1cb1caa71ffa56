#include "daemon/loop_lag_monitor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace meshwatch {
namespace asio = boost::asio;

struct loop_lag_monitor::state {
  state(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  std::chrono::milliseconds period{};
  std::chrono::milliseconds threshold{};
  std::function<void(double)> on_lag;
  double last_lag = 0;
  clock::time_point last_tick = clock::now();
  bool stopped = false;
};

namespace {

asio::awaitable<void> measure(std::shared_ptr<loop_lag_monitor::state> s) {
  while (!s->stopped) {
    auto due = loop_lag_monitor::clock::now() + s->period;
    s->timer.expires_at(due);
    auto [ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || s->stopped) {
      co_return;
    }
    auto now = loop_lag_monitor::clock::now();
    s->last_tick = now;
    s->last_lag = std::chrono::duration<double>(now - due).count();
    if (s->on_lag) {
      s->on_lag(s->last_lag);
    }
  }
}

}  // namespace

loop_lag_monitor::loop_lag_monitor(asio::io_context& io, std::chrono::milliseconds period,
                                   std::chrono::milliseconds stall_threshold,
                                   std::function<void(double)> on_lag)
    : state_(std::make_shared<state>(io)) {
  state_->period = period;
  state_->threshold = stall_threshold;
  state_->on_lag = std::move(on_lag);
}

loop_lag_monitor::~loop_lag_monitor() { stop(); }

void loop_lag_monitor::start() {
  state_->stopped = false;
  state_->last_tick = clock::now();
  asio::co_spawn(state_->timer.get_executor(), measure(state_), asio::detached);
}

void loop_lag_monitor::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

double loop_lag_monitor::last_lag_seconds() const { return state_->last_lag; }

bool loop_lag_monitor::stalled(clock::time_point now) const {
  if (state_->last_lag > std::chrono::duration<double>(state_->threshold).count()) {
    return true;
  }
  return now - state_->last_tick > state_->period + state_->threshold;
}

}  // namespace meshwatch

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

#include "daemon/loop_lag_monitor.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

struct tick {
  double lag;
  bool stalled;
};

TEST(loop_lag_monitor, a_blocked_loop_shows_up_as_lag_and_stall) {
  boost::asio::io_context io;
  std::vector<tick> ticks;
  loop_lag_monitor* self = nullptr;
  loop_lag_monitor monitor(io, 20ms, 100ms, [&](double lag) { ticks.push_back({lag, self->stalled()}); });
  self = &monitor;
  monitor.start();

  // A few normal ticks, then the loop is blocked for 300 ms, then a few normal ticks again.
  boost::asio::steady_timer block_at(io, 100ms);
  block_at.async_wait([](auto) {
    std::this_thread::sleep_for(300ms);  // the stall under test, not synchronisation
  });
  boost::asio::steady_timer stop_at(io, 600ms);
  stop_at.async_wait([&](auto) { monitor.stop(); });
  io.run_for(5s);

  ASSERT_GE(ticks.size(), 8u);
  auto worst = std::max_element(ticks.begin(), ticks.end(), [](auto& a, auto& b) { return a.lag < b.lag; });
  EXPECT_GT(worst->lag, 0.25);
  EXPECT_LT(worst->lag, 1.0);
  EXPECT_TRUE(worst->stalled) << "a 300 ms late tick is over the 100 ms threshold";
  EXPECT_FALSE(ticks.front().stalled);
  EXPECT_LT(ticks.back().lag, 0.1) << "ticks after the block are on time again";
  EXPECT_FALSE(ticks.back().stalled);
  // With no ticks at all for longer than period + threshold (a frozen loop), it is stalled.
  EXPECT_TRUE(monitor.stalled(std::chrono::steady_clock::now() + 1s));
}

}  // namespace
}  // namespace meshwatch

#pragma once
// The daemon's loop on a thread of its own for these tests: the stream monitor and pipelines
// run there, and the test thread looks at them only through on_loop (no data races), while
// it drives the twin (HTTP, control port, restarts) directly.
#include <prometheus/registry.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "daemon/stream_metrics.hpp"
#include "daemon/stream_monitor.hpp"

namespace meshwatch::test {

class stream_loop {
 public:
  stream_loop();
  ~stream_loop();

  boost::asio::io_context& io() { return io_; }

  /** Runs `fn` on the loop and returns its result. */
  template <typename F>
  auto on_loop(F fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  /** Polls `accept` on the loop every 20 ms until it holds or `timeout` passes. */
  bool wait_until(const std::function<bool()>& accept, std::chrono::milliseconds timeout);

  /** A monitor on the loop with metrics for target `t` in registry(); started. */
  stream_monitor& start_monitor(unsigned short ws_port, const std::string& project,
                                stream_monitor_options options = {});
  stream_monitor& monitor() { return *monitor_; }
  stream_status status() {
    return on_loop([this] { return monitor_->status(); });
  }

  /** The value of `name{target="t",…labels}` in the registry; nullopt if absent. */
  std::optional<double> metric(const std::string& name,
                               const std::map<std::string, std::string>& labels = {});

  prometheus::Registry& registry() { return *registry_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<stream_metric_families> families_;
  std::unique_ptr<stream_monitor> monitor_;
};

}  // namespace meshwatch::test

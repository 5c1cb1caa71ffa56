#include "tests/integration/stream/stream_loop.hpp"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace meshwatch::test {

stream_loop::stream_loop() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {
  families_ = std::make_unique<stream_metric_families>(*registry_);
}

stream_loop::~stream_loop() {
  if (monitor_) {
    on_loop([this] {
      monitor_->stop();
      return 0;
    });
  }
  work_.reset();
  io_.stop();
  thread_.join();
  monitor_.reset();
}

bool stream_loop::wait_until(const std::function<bool()>& accept, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (on_loop([&] { return accept(); })) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

stream_monitor& stream_loop::start_monitor(unsigned short ws_port, const std::string& project,
                                           stream_monitor_options options) {
  probe_endpoint endpoint{boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), ws_port),
                          "127.0.0.1:" + std::to_string(ws_port)};
  auto series = std::make_shared<stream_series>(*families_, "t");
  on_loop([&] {
    monitor_ = std::make_unique<stream_monitor>(io_.get_executor(), "t", endpoint,
                                                "/stream/projects/" + project, options, series);
    monitor_->start();
    return 0;
  });
  return *monitor_;
}

std::optional<double> stream_loop::metric(const std::string& name,
                                          const std::map<std::string, std::string>& labels) {
  auto families = registry_->Collect();
  for (const auto& family : families) {
    for (const auto& m : family.metric) {
      bool all = true;
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      for (const auto& [k, v] : labels) all = all && have[k] == v;
      if (!all) continue;
      if (family.name == name) {
        if (family.type == prometheus::MetricType::Counter) return m.counter.value;
        if (family.type == prometheus::MetricType::Gauge) return m.gauge.value;
      }
      if (family.type == prometheus::MetricType::Histogram && name == family.name + "_count") {
        return static_cast<double>(m.histogram.sample_count);
      }
      if (family.type == prometheus::MetricType::Histogram && name == family.name + "_sum") {
        return m.histogram.sample_sum;
      }
    }
  }
  return std::nullopt;
}

}  // namespace meshwatch::test

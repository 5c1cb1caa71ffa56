#pragma once
// A WebSocket subscriber on a target's stream path, open for the length of one pipeline run:
// it connects before the pipeline's first step (a push can arrive before the HTTP 202 that
// caused it) and buffers pushes so `ws_wait` steps can match them.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "probes/probe_target.hpp"

namespace meshwatch {

class stream_subscriber {
 public:
  /** Connects and completes the handshake within `timeout`; nullptr and `error` on failure. */
  static boost::asio::awaitable<std::shared_ptr<stream_subscriber>> open(probe_endpoint endpoint,
                                                                         std::string path,
                                                                         std::chrono::milliseconds timeout,
                                                                         std::shared_ptr<std::string> error);
  ~stream_subscriber();

  /**
   * The first buffered push (from `from_index` on) that `matches` accepts, waiting until
   * `deadline`. Returns its index, or nullopt on timeout or a closed stream.
   */
  boost::asio::awaitable<std::optional<std::size_t>> wait_for(std::function<bool(const std::string&)> matches,
                                                              std::chrono::steady_clock::time_point deadline);
  const std::string& message(std::size_t index) const;
  void close();

  struct impl;

 private:
  explicit stream_subscriber(std::shared_ptr<impl> impl);
  std::shared_ptr<impl> impl_;
};

}  // namespace meshwatch

#pragma once
// The long-lived stream subscriber of one target (DESIGN.md §4): connected to
// `/stream/projects/<synthetic project id>` for the daemon's whole life, it keeps the pushes it
// receives (bounded) for pipelines to match, checks the connection with its own keep-alive
// pings (an unanswered ping is `ws_no_pong`; Beast answers the server's pings), and reconnects
// with a bounded, jittered backoff after any close or error. Runs on the daemon's loop; every
// member function must be called there.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/stream_backoff.hpp"
#include "daemon/stream_push_buffer.hpp"
#include "probes/probe_target.hpp"

namespace meshwatch {

class stream_series;

struct stream_monitor_options {
  std::chrono::milliseconds connect_timeout{5000};  // TCP connect plus WebSocket handshake
  /** Between the end of one keep-alive check and the next ping (Mesher's own: 30 s). */
  std::chrono::milliseconds ping_interval{15000};
  std::chrono::milliseconds pong_timeout{5000};  // an unanswered ping ⇒ ws_no_pong, reconnect
  /** Nothing at all received for this long ⇒ reconnect (a backstop behind the pings). */
  std::chrono::milliseconds idle_timeout{90000};
  /** A connection that held this long resets the backoff; a flapping one keeps backing off. */
  std::chrono::milliseconds stable_after{10000};
  backoff_policy backoff;
  std::size_t max_message_bytes = 1024 * 1024;
  std::size_t max_pushes = 512;
  std::size_t max_buffered_bytes = 8 * 1024 * 1024;
};

/** What /status can show about one subscriber. */
struct stream_status {
  std::string target;
  std::string path;
  bool connected = false;
  std::optional<std::chrono::system_clock::time_point> connected_since;
  std::uint64_t connections = 0;  // handshakes completed
  std::uint64_t reconnects = 0;   // connections lost or attempts failed
  std::string last_disconnect;    // a stream_disconnect name, "" before the first
  std::string last_error;         // its detail
  std::uint64_t pushes = 0;
  std::uint64_t silent_drops = 0;
  std::optional<double> last_push_latency_seconds;
  std::optional<double> last_pong_latency_seconds;
};

class stream_monitor {
 public:
  /** `series` may be null (no metrics). Nothing happens before start(). */
  stream_monitor(boost::asio::any_io_executor executor, std::string target, probe_endpoint endpoint,
                 std::string path, stream_monitor_options options, std::shared_ptr<stream_series> series);
  ~stream_monitor();
  stream_monitor(const stream_monitor&) = delete;
  stream_monitor& operator=(const stream_monitor&) = delete;

  void start();
  /** Closes the connection and ends every wait; the monitor stays stopped. */
  void stop();

  bool connected() const;
  /** When the current connection completed its handshake (steady clock); nullopt while down. */
  std::optional<std::chrono::steady_clock::time_point> connected_since() const;

  /**
   * Waits while a connection attempt is in progress (not during a backoff pause), until
   * `deadline`; true when connected.
   */
  boost::asio::awaitable<bool> wait_connected(std::chrono::steady_clock::time_point deadline);

  /** The seq the next push will get: take it before sending the request that causes one. */
  std::uint64_t next_push_seq() const;

  /**
   * The first push from `from_seq` on that `matches` accepts, waiting for it until `deadline`.
   * nullopt on timeout, and at once when the subscriber is (or goes) down.
   */
  boost::asio::awaitable<std::optional<stream_push>> wait_for_push(
      std::function<bool(const std::string&)> matches, std::uint64_t from_seq,
      std::chrono::steady_clock::time_point deadline);

  /** True when pushes from `from_seq` on were dropped to stay within the buffer bounds. */
  bool pushes_evicted_since(std::uint64_t from_seq) const;

  /** A pipeline saw its push: request → arrival. */
  void record_push_latency(std::chrono::nanoseconds latency);
  /** A pipeline proved a push due that never arrived on this (connected) subscriber. */
  void record_silent_drop();

  stream_status status() const;

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

#pragma once
// What every connection of one ws_server shares: hooks, fault switches, timing, rooms, the
// registry of live connections and the worker threads for the (blocking) ingest hook.
// Shared-owned by ws_server and by every connection, so a connection finishing after the
// ws_server is gone still has valid state to touch (it just no longer calls any hook).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/error_code.hpp>

#include "tests/twin/ws/rooms.hpp"
#include "tests/twin/ws/ws_server.hpp"

namespace meshwatch::twin::ws_detail {

struct limits {
  std::size_t max_connections = 10'000;
  // Per-connection write queue. Big enough for a few 5 MiB bulk-event pushes.
  std::size_t max_queue_bytes = 16u * 1024u * 1024u;
  std::size_t max_queue_frames = 1024;
  // Ingest frames waiting for the hook; past this the connection stops reading (backpressure).
  std::size_t max_ingest_backlog = 64;
  std::size_t ingest_threads = 4;
};

class server_state {
 public:
  server_state(boost::asio::io_context& io, ws_hooks hooks);

  boost::asio::io_context& io;
  const limits limit;
  room_registry rooms;
  boost::asio::thread_pool workers;

  std::atomic<bool> reject_all{false};
  std::atomic<bool> no_pong{false};
  std::atomic<std::int64_t> ping_ms{30'000};
  std::atomic<std::int64_t> pong_timeout_ms{10'000};

  std::chrono::milliseconds ping_interval() const { return std::chrono::milliseconds(ping_ms.load()); }
  std::chrono::milliseconds pong_timeout() const { return std::chrono::milliseconds(pong_timeout_ms.load()); }

  void out(std::string line);
  void err(std::string line);
  /** Runs the ingest hook; nullopt when it threw (a handler crash). */
  std::optional<std::string> ingest(const std::string& frame);

  /** Mesher's behaviour on a runtime panic in a WS callback: the panic block on stderr, then
   *  SIGABRT for the whole process (RUNTIME.md §5.5, FAILURES F-16). */
  [[noreturn]] void runtime_panic(const std::string& message);

  /** False when the connection limit is reached or the server is stopping. */
  bool add(const std::shared_ptr<connection>& conn);
  void remove(const connection* conn);
  std::size_t count() const;

  void add_acceptor(std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor);
  void stop();
  bool stopping() const { return stopping_.load(); }

 private:
  ws_hooks hooks_;
  std::mutex hooks_mutex_;  // held while a console hook runs, so stop() can wait them out
  std::atomic<bool> stopping_{false};

  mutable std::mutex registry_mutex_;
  std::unordered_map<const connection*, std::shared_ptr<connection>> connections_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
};

/** Rust's io::Error text, e.g. `Connection reset by peer (os error 104)`. */
std::string os_error_text(const boost::system::error_code& ec);

}  // namespace meshwatch::twin::ws_detail

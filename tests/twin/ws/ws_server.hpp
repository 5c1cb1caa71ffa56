#pragma once
// The twin's WebSocket server: mesh-rt's `ws/*` plus Mesher's `ws_handler.mpl`, as seen on the
// wire (API.md §4, RUNTIME.md §5.2 and §9). Asio and Beast stay behind the pimpl.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace meshwatch::twin {

namespace ws_detail {
class server_state;
}

/** Callbacks into the rest of the twin. None is called any more once stop() has returned. */
struct ws_hooks {
  /** Reply text for an ingest frame; runs on a worker thread, may block on the DB. A throw ends
   *  the connection with Close 1011 `internal error` and console line code 1011. Unset: the HEAD
   *  reply `{"error":"42883\t\t\t\toperator does not exist: text ->> unknown"}`. */
  std::function<std::string(const std::string& frame)> on_ingest_frame;
  /** Mesher stdout lines, e.g. `[WS] Connection closed: 1000`. */
  std::function<void(std::string line)> console_out;
  /** mesh-rt stderr lines, e.g. `[mesh-rt] WS upgrade failed: method must be GET`. */
  std::function<void(std::string line)> console_err;
};

class ws_server {
 public:
  ws_server(boost::asio::io_context& io, ws_hooks hooks);
  ~ws_server();
  ws_server(const ws_server&) = delete;
  ws_server& operator=(const ws_server&) = delete;

  /** Binds 0.0.0.0:port (0 = ephemeral) and prints mesh-rt's `WebSocket server listening on` line
   *  (or its `Failed to start` line, then throws std::system_error). Returns the bound port. */
  unsigned short listen(unsigned short port);

  /**
   * Sends `message` as a text frame to every subscriber of `room` ("project:<uuid>"). Thread-safe.
   * Each subscriber has a bounded write queue. When a queue is full the call blocks until it
   * drains, like HEAD's synchronous writes (F-36: a stalled subscriber blocks the broadcaster),
   * except on a thread running the io_context, where blocking would deadlock the writer: there
   * the message is dropped for that subscriber.
   */
  void broadcast(const std::string& room, const std::string& message);

  /** Fault ws_reject_all: every new connection gets 101 then Close 1008 `rejected`, no console line. */
  void set_reject_all(bool on);
  /**
   * Fault ws_no_pong: the server turns silent at the keep-alive level: client pings are not
   * answered and the server sends no pings of its own (so a client whose idle timer counts any
   * inbound frame, like Beast's, times out too), and no `pong timeout` close is sent.
   * Data frames are still answered.
   */
  void set_no_pong(bool on);
  /** Defaults 30 s / 10 s. Applies from each connection's next ping. */
  void set_ping_interval(std::chrono::milliseconds ping, std::chrono::milliseconds pong_timeout);

  /** Open TCP connections on the WS port, handshakes in progress included. */
  std::size_t connection_count() const;

  /** Closes the listener and every connection (no console lines), waits for running ingest hooks. */
  void stop();

 private:
  std::shared_ptr<ws_detail::server_state> state_;
};

}  // namespace meshwatch::twin

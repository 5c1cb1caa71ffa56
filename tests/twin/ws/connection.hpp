#pragma once
// One WebSocket connection: handshake, connect decision, then three coroutines on the
// connection's strand: a reader (frames, control replies, reassembly), a writer (the only
// place that writes the socket, draining a bounded queue) and a heartbeat (server pings).
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "tests/twin/ws/frame.hpp"
#include "tests/twin/ws/handshake.hpp"
#include "tests/twin/ws/server_state.hpp"

namespace meshwatch::twin::ws_detail {

class connection : public std::enable_shared_from_this<connection> {
 public:
  using frame_ptr = std::shared_ptr<const std::string>;

  connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<server_state> server);

  static void start(std::shared_ptr<connection> self);

  /** Thread-safe. Queues an encoded frame; with may_block, waits for room in a full queue. */
  bool push_broadcast(frame_ptr frame, bool may_block);

  /** Thread-safe. Immediate close for stop(): no Close frame, no console line. */
  void abort();

 private:
  enum class mode { handshaking, rejected, subscriber, ingest };

  static boost::asio::awaitable<void> run(std::shared_ptr<connection> self);
  static boost::asio::awaitable<void> read_loop(std::shared_ptr<connection> self);
  static boost::asio::awaitable<void> write_loop(std::shared_ptr<connection> self);
  static boost::asio::awaitable<void> heartbeat(std::shared_ptr<connection> self);
  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<void> write_raw(std::string bytes, const char* error_prefix);

  void on_frame(const frame_start& start, std::string payload);
  void on_message(std::string message);
  void next_ingest();
  void ingest_done(std::optional<std::string> reply);

  void enqueue(frame_ptr frame);
  bool must_pause();
  void wake_writer();
  void begin_close(std::uint16_t code, const std::string& reason);
  void hard_close();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<server_state> server_;

  // Strand-only state.
  mode mode_ = mode::handshaking;
  upgrade_request request_for_route_;
  std::string room_;
  bool ending_ = false;    // our final Close is queued: read and discard until the peer closes
  bool finished_ = false;  // socket closed, bookkeeping done
  bool crashed_ = false;   // the ingest hook threw: console line says 1011
  message_assembler assembler_;
  std::optional<std::array<std::uint8_t, 4>> pending_ping_;
  std::deque<std::string> ingest_backlog_;
  bool ingest_busy_ = false;
  boost::asio::steady_timer writer_wake_;
  boost::asio::steady_timer reader_resume_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer linger_;

  // Shared with broadcasting threads.
  std::mutex queue_mutex_;
  std::condition_variable queue_space_;
  std::deque<frame_ptr> queue_;
  std::size_t queued_bytes_ = 0;
  bool queue_closed_ = false;
  std::atomic<bool> wake_posted_{false};
};

}  // namespace meshwatch::twin::ws_detail

#pragma once
// Test helpers for the twin's WebSocket server: an in-process server on port 0 with its console
// captured, and a raw frame-level client (it never answers pings by itself, can send unmasked or
// broken frames, and reports EOF separately from a Close frame).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/twin/ws/ws_server.hpp"

namespace meshwatch::test {

using namespace std::chrono_literals;

/** Thread-safe list of console lines with a blocking wait. */
class line_log {
 public:
  void add(std::string line);
  bool wait_for_line(const std::string& line, std::chrono::milliseconds timeout = 5s);
  std::size_t count(const std::string& line) const;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

/** io_context on its own thread plus a ws_server on an ephemeral port. */
class twin_ws_harness {
 public:
  explicit twin_ws_harness(std::function<std::string(const std::string&)> ingest = {});
  ~twin_ws_harness();

  twin::ws_server& server() { return *server_; }
  unsigned short port() const { return port_; }
  line_log out;
  line_log err;
  /** Polls connection_count() until it equals `n`. */
  bool wait_for_connections(std::size_t n, std::chrono::milliseconds timeout = 5s);

 private:
  boost::asio::io_context io_;
  std::unique_ptr<twin::ws_server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
};

struct ws_frame {
  std::uint8_t opcode = 0;
  bool fin = true;
  std::string payload;
  std::uint16_t close_code() const;
  std::string close_reason() const;
};

/** A client frame; masked unless told otherwise. */
std::string client_frame(std::uint8_t opcode, const std::string& payload, bool fin = true, bool mask = true);
std::string client_close(std::uint16_t code, const std::string& reason = "");

std::string upgrade_request(const std::string& target, const std::string& extra_headers = "");

class raw_ws_client {
 public:
  enum class status { frame, eof, timeout, error };
  struct result {
    status what = status::error;
    ws_frame frame;
  };

  bool connect(unsigned short port);
  /** Sends the upgrade request; returns the response head (through the blank line) or "". */
  std::string upgrade(const std::string& target, const std::string& extra_headers = "");
  /** Sends `request` bytes as they are; returns the response head or "". */
  std::string upgrade_raw(const std::string& request);
  bool send(const std::string& bytes);
  result read_frame(std::chrono::milliseconds timeout = 5s);
  /** Next frame that is not a ping (pings are counted, not answered). */
  result read_non_ping(std::chrono::milliseconds timeout = 5s);
  int pings_seen() const { return pings_; }
  void close();

 private:
  bool fill_more(std::chrono::steady_clock::time_point deadline, status& failure);
  bool read_exact(std::string& out, std::size_t n, std::chrono::steady_clock::time_point deadline,
                  status& failure);

  // Behind a pointer so that the client can be returned from helpers (the socket refers to it).
  std::unique_ptr<boost::asio::io_context> io_ = std::make_unique<boost::asio::io_context>();
  std::optional<boost::asio::ip::tcp::socket> socket_;
  std::string buffered_;
  int pings_ = 0;
};

}  // namespace meshwatch::test

#pragma once
// One WebSocket conversation as a probe performs it: connect, handshake (timed), optionally
// send one text frame, then either wait for the first reply or for the server's close, all
// under one overall deadline. Mesher's rejection is "101, then Close 1008" (API.md §4.1), so a
// close code is an observation like any other. Beast stays in the .cpp.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probes/failure_reason.hpp"

namespace meshwatch {

struct ws_exchange_request {
  std::string target = "/";  // path and query, already rendered
  std::string host_header;
  std::vector<std::pair<std::string, std::string>> headers;  // sent byte for byte
  std::optional<std::string> send;                           // one text frame after the handshake
  bool wait_for_reply = false;  // read the first data frame (after `send`, if any)
  bool wait_for_close = false;  // read until the server closes (e.g. 1008 `rejected`)
  /**
   * Then send a Ping and wait for the Pong echoing it (API.md §4.5: client pings are answered);
   * none before the deadline is ws_no_pong. Data frames meanwhile are read and discarded.
   */
  bool expect_pong = false;
};

struct ws_exchange_limits {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_message_bytes = 1024 * 1024;
};

struct ws_phases {
  std::chrono::nanoseconds connect{};
  std::chrono::nanoseconds handshake{};
  std::chrono::nanoseconds first_reply{};  // handshake (or send) → first frame or close
  std::chrono::nanoseconds pong{};         // ping written → its pong read (expect_pong only)
};

struct ws_exchange_result {
  /**
   * Set when the conversation did not get as far as asked: connect_refused, timeout,
   * ws_handshake (no 101), ws_closed (closed while a reply or pong was awaited), ws_no_reply,
   * ws_no_pong, too_large, internal.
   */
  std::optional<failure_reason> failure;
  std::string detail;
  int handshake_status = 0;  // 101 on success
  std::optional<std::string> reply;
  std::optional<int> close_code;  // the server's close frame, when one arrived
  std::string close_reason;
  ws_phases phases;
  std::chrono::nanoseconds total{};
};

boost::asio::awaitable<ws_exchange_result> perform_ws_exchange(boost::asio::ip::tcp::endpoint endpoint,
                                                               ws_exchange_request request,
                                                               ws_exchange_limits limits);

}  // namespace meshwatch

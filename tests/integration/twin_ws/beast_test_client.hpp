#pragma once
// A Beast WebSocket client with a deadline on every step (Beast stays in the .cpp). It answers
// server pings by itself, as real clients do.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/error_code.hpp>

namespace meshwatch::test {

class beast_ws_client {
 public:
  beast_ws_client();
  ~beast_ws_client();

  /** Handshake; headers are sent with their names spelled exactly as given. */
  boost::system::error_code connect(unsigned short port, const std::string& target,
                                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  /** Beast's own keep-alive: ping after idle/2, fail with beast::error::timeout after idle. */
  void enable_keep_alive(std::chrono::milliseconds idle_timeout);
  boost::system::error_code write(const std::string& text, bool binary = false);
  /** nullopt on error or timeout; the error lands in `ec`. */
  std::optional<std::string> read(boost::system::error_code& ec,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  boost::system::error_code ping(const std::string& payload);
  boost::system::error_code close(std::uint16_t code, const std::string& reason);
  /** The Close the server sent (after read() failed with `closed`, or after close()). */
  std::uint16_t close_code() const;
  std::string close_reason() const;
  int pings_received() const;
  int pongs_received() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace meshwatch::test

#pragma once
// A blocking WebSocket client with per-call timeouts (Beast behind a pimpl).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace meshwatch::twin_test {

class ws_probe {
 public:
  ws_probe(unsigned short port, const std::string& target,
           const std::map<std::string, std::string>& headers = {},
           std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~ws_probe();

  bool open() const;
  bool send(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /** Next text message; nullopt on close, error or timeout. */
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /** Close code received from the server (0 if none). */
  int close_code() const;
  std::string close_reason() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace meshwatch::twin_test

#pragma once
// The twin's side of the WebSocket server (built separately in tests/twin/ws as `twin_ws`).
// Keeps Asio out of the rest of the twin and owns the io_context threads the server runs on.
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace meshwatch::twin {

class console;

class ws_bridge {
 public:
  ws_bridge(console& con, std::function<std::string(const std::string&)> on_ingest_frame);
  ~ws_bridge();
  ws_bridge(const ws_bridge&) = delete;
  ws_bridge& operator=(const ws_bridge&) = delete;

  /** Bound port; nullopt when binding failed. The server prints mesh-rt's `WebSocket server
      listening on …` / `Failed to start WebSocket server on …` line itself. */
  std::optional<unsigned short> listen(unsigned short port);
  /** Room `project:<uuid>`. Thread-safe; no-op without a listening server. */
  void broadcast(const std::string& room, const std::string& message);
  void set_reject_all(bool on);
  void set_no_pong(bool on);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace meshwatch::twin

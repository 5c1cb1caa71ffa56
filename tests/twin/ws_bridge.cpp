// Bridge to the real WebSocket server of tests/twin/ws (target twin_ws).
#include "tests/twin/ws_bridge.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

#include "tests/twin/console.hpp"
#include "tests/twin/ws/ws_server.hpp"

namespace meshwatch::twin {

struct ws_bridge::impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<ws_server> server;
  std::vector<std::thread> threads;
  bool listening = false;
};

ws_bridge::ws_bridge(console& con, std::function<std::string(const std::string&)> on_ingest_frame)
    : impl_(std::make_unique<impl>()) {
  ws_hooks hooks;
  hooks.on_ingest_frame = std::move(on_ingest_frame);
  hooks.console_out = [&con](std::string line) { con.out(line); };
  hooks.console_err = [&con](std::string line) { con.err(line); };
  impl_->server = std::make_unique<ws_server>(impl_->io, std::move(hooks));
  // Two threads: a WS client that stops reading must not freeze every other WS connection.
  for (int i = 0; i < 2; ++i) {
    impl_->threads.emplace_back([io = &impl_->io] { io->run(); });
  }
}

ws_bridge::~ws_bridge() {
  impl_->server->stop();
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
}

std::optional<unsigned short> ws_bridge::listen(unsigned short port) {
  try {
    unsigned short bound = impl_->server->listen(port);
    impl_->listening = true;
    return bound;
  } catch (const std::exception&) {
    return std::nullopt;  // the `Failed to start WebSocket server` line is already printed
  }
}

void ws_bridge::broadcast(const std::string& room, const std::string& message) {
  if (impl_->listening) impl_->server->broadcast(room, message);
}
void ws_bridge::set_reject_all(bool on) { impl_->server->set_reject_all(on); }
void ws_bridge::set_no_pong(bool on) { impl_->server->set_no_pong(on); }

}  // namespace meshwatch::twin

#include "tests/twin/ws/ws_server.hpp"

#include <system_error>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/twin/ws/connection.hpp"
#include "tests/twin/ws/frame.hpp"
#include "tests/twin/ws/server_state.hpp"

namespace meshwatch::twin {
namespace asio = boost::asio;
using ws_detail::connection;
using ws_detail::server_state;

namespace {

asio::awaitable<void> accept_loop(std::shared_ptr<server_state> state,
                                  std::shared_ptr<asio::ip::tcp::acceptor> acceptor) {
  constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(nothrow);
    if (state->stopping() || !acceptor->is_open()) {
      co_return;
    }
    if (ec) {
      // mesh-rt logs and retries at once; the short pause keeps EMFILE from spinning a core.
      state->err("[mesh-rt] accept error: " + ws_detail::os_error_text(ec));
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(10));
      co_await pause.async_wait(nothrow);
      continue;
    }
    auto conn = std::make_shared<connection>(std::move(socket), state);
    if (!state->add(conn)) {
      continue;  // over the twin's connection cap: the socket closes with `conn`
    }
    connection::start(std::move(conn));
  }
}

}  // namespace

ws_server::ws_server(asio::io_context& io, ws_hooks hooks)
    : state_(std::make_shared<server_state>(io, std::move(hooks))) {}

ws_server::~ws_server() { stop(); }

unsigned short ws_server::listen(unsigned short port) {
  const std::string where = "0.0.0.0:" + std::to_string(port);
  auto acceptor = std::make_shared<asio::ip::tcp::acceptor>(asio::make_strand(state_->io));
  boost::system::error_code ec;
  const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::any(), port);
  // Rust's TcpListener::bind sets SO_REUSEADDR on Unix; so do we.
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor->bind(endpoint, ec);
  }
  if (!ec) {
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    state_->err("[mesh-rt] Failed to start WebSocket server on " + where + ": " +
                ws_detail::os_error_text(ec));
    throw std::system_error(ec, "ws_server::listen " + where);
  }
  const unsigned short bound = acceptor->local_endpoint().port();
  state_->err("[mesh-rt] WebSocket server listening on 0.0.0.0:" + std::to_string(bound));
  state_->add_acceptor(acceptor);
  auto executor = acceptor->get_executor();
  asio::co_spawn(executor, accept_loop(state_, std::move(acceptor)), asio::detached);
  return bound;
}

void ws_server::broadcast(const std::string& room, const std::string& message) {
  const auto members = state_->rooms.members(room);
  if (members.empty()) {
    return;
  }
  // Encoded once, shared by every subscriber's queue.
  const auto frame =
      std::make_shared<const std::string>(ws_detail::encode_frame(ws_detail::opcode::text, message));
  const bool may_block = !state_->io.get_executor().running_in_this_thread();
  for (const auto& member : members) {
    member->push_broadcast(frame, may_block);  // failed writes are ignored, as at HEAD
  }
}

void ws_server::set_reject_all(bool on) { state_->reject_all.store(on); }

void ws_server::set_no_pong(bool on) { state_->no_pong.store(on); }

void ws_server::set_ping_interval(std::chrono::milliseconds ping, std::chrono::milliseconds pong_timeout) {
  state_->ping_ms.store(ping.count());
  state_->pong_timeout_ms.store(pong_timeout.count());
}

std::size_t ws_server::connection_count() const { return state_->count(); }

void ws_server::stop() { state_->stop(); }

}  // namespace meshwatch::twin

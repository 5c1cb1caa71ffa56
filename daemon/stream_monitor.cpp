#include "daemon/stream_monitor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <random>
#include <vector>

#include "daemon/stream_metrics.hpp"

namespace meshwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

using clock = std::chrono::steady_clock;
using ws_stream = websocket::stream<beast::tcp_stream>;
constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

enum class phase { idle, connecting, connected, backing_off, stopped };

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

struct stream_monitor::state {
  state(asio::any_io_executor ex, std::string target_name, probe_endpoint ep, std::string stream_path,
        stream_monitor_options opts, std::shared_ptr<stream_series> metric_series)
      : executor(std::move(ex)),
        target(std::move(target_name)),
        endpoint(std::move(ep)),
        path(std::move(stream_path)),
        options(opts),
        series(std::move(metric_series)),
        pushes(opts.max_pushes, opts.max_buffered_bytes),
        backoff(opts.backoff),
        backoff_timer(executor),
        keep_alive_timer(executor),
        rng(std::random_device{}()) {}

  asio::any_io_executor executor;
  std::string target;
  probe_endpoint endpoint;
  std::string path;
  stream_monitor_options options;
  std::shared_ptr<stream_series> series;

  phase current = phase::idle;
  std::shared_ptr<ws_stream> ws;  // the current connection (or attempt)
  std::uint64_t connection = 0;   // number of the current connection; bumps on each handshake
  std::optional<clock::time_point> connected_since;
  std::optional<std::chrono::system_clock::time_point> connected_since_wall;
  clock::time_point last_received{};
  // Set by the keep-alive before it closes the socket, so the read loop reports the real cause.
  std::optional<stream_disconnect> drop_reason;
  std::string drop_detail;

  std::optional<std::string> outstanding_ping;
  clock::time_point ping_sent{};
  std::uint64_t ping_counter = 0;

  stream_push_buffer pushes;
  stream_backoff backoff;
  asio::steady_timer backoff_timer;
  asio::steady_timer keep_alive_timer;
  std::mt19937 rng;
  std::vector<asio::steady_timer*> waiters;  // woken on every push and phase change

  std::uint64_t reconnects = 0;
  std::uint64_t silent_drops = 0;
  std::uint64_t push_count = 0;
  std::string last_disconnect;
  std::string last_error;
  bool failing_logged = false;  // one warning per outage, not one per attempt
  std::optional<double> last_push_latency;
  std::optional<double> last_pong_latency;

  void notify() {
    for (auto* t : waiters) {
      t->cancel();
    }
  }
  void set_phase(phase p) {
    current = p;
    notify();
  }
  void close_socket() {
    if (ws) {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(*ws).close();
    }
  }
  /** Ends the current connection for `reason` (keep-alive verdicts); the read loop reports it. */
  void drop(stream_disconnect reason, std::string detail) {
    if (drop_reason) {
      return;
    }
    drop_reason = reason;
    drop_detail = std::move(detail);
    close_socket();
  }
};

namespace {

std::string url_of(const stream_monitor::state& s) { return "ws://" + s.endpoint.host_header + s.path; }

// One failed attempt or lost connection: counted, logged once per outage, then a backoff pause.
void record_disconnect(stream_monitor::state& s, stream_disconnect reason, const std::string& detail) {
  ++s.reconnects;
  s.last_disconnect = std::string(to_string(reason));
  s.last_error = detail;
  if (s.series) {
    s.series->count_reconnect(reason);
    s.series->set_connected(false);
  }
  if (!s.failing_logged) {
    spdlog::warn("target {}: stream subscriber {}: {} ({}); reconnecting with backoff", s.target, url_of(s),
                 to_string(reason), detail);
    s.failing_logged = true;
  }
}

stream_disconnect classify_read_error(const beast::error_code& ec, const ws_stream& ws) {
  if (ec == websocket::error::closed) {
    return ws.reason().code == websocket::close_code::policy_error ? stream_disconnect::rejected
                                                                   : stream_disconnect::closed;
  }
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return stream_disconnect::too_large;
  }
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return stream_disconnect::dropped;
  }
  return stream_disconnect::error;
}

std::string close_text(const ws_stream& ws) {
  if (ws.reason().code == websocket::close_code::none) {
    return "";
  }
  return " (close " + std::to_string(static_cast<int>(ws.reason().code)) + " '" +
         std::string(ws.reason().reason.data(), ws.reason().reason.size()) + "')";
}

// Our keep-alive on one connection: ping, expect the pong echoing it, check for idleness.
asio::awaitable<void> keep_alive(std::shared_ptr<stream_monitor::state> s, std::shared_ptr<ws_stream> ws,
                                 std::uint64_t connection) {
  auto stale = [&] {
    return s->current != phase::connected || s->connection != connection || s->drop_reason;
  };
  for (;;) {
    s->keep_alive_timer.expires_after(s->options.ping_interval);
    co_await s->keep_alive_timer.async_wait(as_tuple_awaitable);
    if (stale()) {
      co_return;
    }
    if (clock::now() - s->last_received > s->options.idle_timeout) {
      s->drop(stream_disconnect::idle_timeout, "nothing received for " + ms_text(s->options.idle_timeout));
      co_return;
    }
    std::string payload = "meshwatch-" + std::to_string(++s->ping_counter);
    s->outstanding_ping = payload;
    s->ping_sent = clock::now();
    websocket::ping_data data;
    data.assign(payload.data(), payload.size());
    auto [ping_error] = co_await ws->async_ping(data, as_tuple_awaitable);
    if (ping_error || stale()) {
      co_return;  // the read loop sees the broken connection too and reports it
    }
    s->keep_alive_timer.expires_after(s->options.pong_timeout);
    co_await s->keep_alive_timer.async_wait(as_tuple_awaitable);
    if (stale()) {
      co_return;
    }
    if (s->outstanding_ping == payload) {
      s->drop(stream_disconnect::ws_no_pong, "no pong within " + ms_text(s->options.pong_timeout));
      co_return;
    }
  }
}

// Connects once; on success reads until the connection ends. Returns why it ended.
asio::awaitable<std::pair<stream_disconnect, std::string>> connect_and_read(
    std::shared_ptr<stream_monitor::state> s) {
  auto ws = std::make_shared<ws_stream>(s->executor);
  s->ws = ws;
  s->drop_reason.reset();
  s->outstanding_ping.reset();
  auto& tcp = beast::get_lowest_layer(*ws);
  tcp.expires_after(s->options.connect_timeout);
  auto [connect_error] = co_await tcp.async_connect(s->endpoint.address, as_tuple_awaitable);
  if (connect_error) {
    co_return std::pair{stream_disconnect::connect_failed, "connect: " + connect_error.message()};
  }
  ws->read_message_max(s->options.max_message_bytes);
  ws->set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "meshwatch"); }));
  const auto next_connection = s->connection + 1;
  std::weak_ptr<stream_monitor::state> weak = s;
  ws->control_callback([weak, next_connection](websocket::frame_type kind, beast::string_view payload) {
    auto st = weak.lock();
    if (!st || st->connection != next_connection) {
      return;
    }
    const auto now = clock::now();
    st->last_received = now;
    if (kind == websocket::frame_type::pong && st->outstanding_ping && payload == *st->outstanding_ping) {
      st->outstanding_ping.reset();
      st->last_pong_latency = std::chrono::duration<double>(now - st->ping_sent).count();
      if (st->series) {
        st->series->observe_pong_latency(now - st->ping_sent);
      }
    }
  });
  auto [handshake_error] = co_await ws->async_handshake(s->endpoint.host_header, s->path, as_tuple_awaitable);
  if (handshake_error) {
    auto reason = handshake_error == beast::error::timeout
                      ? " (no answer within " + ms_text(s->options.connect_timeout) + ")"
                      : std::string();
    co_return std::pair{stream_disconnect::handshake_failed,
                        "handshake: " + handshake_error.message() + reason};
  }
  // Connected: no TCP expiry from here on; the keep-alive bounds how long a dead peer goes unseen.
  tcp.expires_never();
  s->connection = next_connection;
  s->connected_since = clock::now();
  s->connected_since_wall = std::chrono::system_clock::now();
  s->last_received = *s->connected_since;
  if (s->series) {
    s->series->set_connected(true);
  }
  if (s->failing_logged || s->connection == 1) {
    spdlog::info("target {}: stream subscriber connected to {}", s->target, url_of(*s));
  }
  s->failing_logged = false;
  s->set_phase(phase::connected);
  asio::co_spawn(s->executor, keep_alive(s, ws, s->connection), asio::detached);

  beast::flat_buffer buffer;  // bounded by read_message_max
  for (;;) {
    auto [read_error, read] = co_await ws->async_read(buffer, as_tuple_awaitable);
    if (read_error) {
      if (s->drop_reason) {
        co_return std::pair{*s->drop_reason, s->drop_detail};
      }
      co_return std::pair{classify_read_error(read_error, *ws),
                          "read: " + read_error.message() + close_text(*ws)};
    }
    const auto now = clock::now();
    s->last_received = now;
    s->pushes.add(beast::buffers_to_string(buffer.data()), now, s->connection);
    buffer.consume(buffer.size());
    ++s->push_count;
    if (s->series) {
      s->series->count_push();
    }
    s->notify();
  }
}

asio::awaitable<void> run_monitor(std::shared_ptr<stream_monitor::state> s) {
  while (s->current != phase::stopped) {
    s->set_phase(phase::connecting);
    auto [reason, detail] = co_await connect_and_read(s);
    const bool was_connected = s->current == phase::connected;
    s->keep_alive_timer.cancel();
    s->close_socket();
    if (s->current == phase::stopped) {
      break;
    }
    if (was_connected && s->connected_since &&
        clock::now() - *s->connected_since >= s->options.stable_after) {
      s->backoff.reset();
    }
    s->connected_since.reset();
    s->connected_since_wall.reset();
    record_disconnect(*s, reason, detail);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto pause = s->backoff.next(unit(s->rng));
    s->set_phase(phase::backing_off);
    s->backoff_timer.expires_after(pause);
    co_await s->backoff_timer.async_wait(as_tuple_awaitable);
  }
  s->ws.reset();
}

}  // namespace

stream_monitor::stream_monitor(asio::any_io_executor executor, std::string target, probe_endpoint endpoint,
                               std::string path, stream_monitor_options options,
                               std::shared_ptr<stream_series> series)
    : state_(std::make_shared<state>(std::move(executor), std::move(target), std::move(endpoint),
                                     std::move(path), options, std::move(series))) {
  if (state_->series) {
    state_->series->set_connected(false);
  }
}

stream_monitor::~stream_monitor() { stop(); }

void stream_monitor::start() {
  if (state_->current != phase::idle) {
    return;
  }
  state_->current = phase::connecting;
  asio::co_spawn(state_->executor, run_monitor(state_), asio::detached);
}

void stream_monitor::stop() {
  auto& s = *state_;
  if (s.current == phase::stopped) {
    return;
  }
  const bool was_connected = s.current == phase::connected;
  s.set_phase(phase::stopped);
  s.close_socket();
  s.backoff_timer.cancel();
  s.keep_alive_timer.cancel();
  s.connected_since.reset();
  s.connected_since_wall.reset();
  if (s.series && was_connected) {
    s.series->set_connected(false);
  }
}

bool stream_monitor::connected() const { return state_->current == phase::connected; }

std::optional<std::chrono::steady_clock::time_point> stream_monitor::connected_since() const {
  return connected() ? state_->connected_since : std::nullopt;
}

asio::awaitable<bool> stream_monitor::wait_connected(clock::time_point deadline) {
  auto s = state_;
  asio::steady_timer timer(s->executor);
  while (s->current == phase::connecting && clock::now() < deadline) {
    timer.expires_at(deadline);
    s->waiters.push_back(&timer);
    co_await timer.async_wait(as_tuple_awaitable);
    std::erase(s->waiters, &timer);
  }
  co_return s->current == phase::connected;
}

std::uint64_t stream_monitor::next_push_seq() const { return state_->pushes.next_seq(); }

asio::awaitable<std::optional<stream_push>> stream_monitor::wait_for_push(
    std::function<bool(const std::string&)> matches, std::uint64_t from_seq, clock::time_point deadline) {
  auto s = state_;
  asio::steady_timer timer(s->executor);
  for (;;) {
    if (const auto* push = s->pushes.find(from_seq, matches)) {
      co_return *push;
    }
    if (s->current != phase::connected || clock::now() >= deadline) {
      co_return std::nullopt;
    }
    timer.expires_at(deadline);
    s->waiters.push_back(&timer);
    co_await timer.async_wait(as_tuple_awaitable);  // cancelled on a push or a phase change: look again
    std::erase(s->waiters, &timer);
  }
}

bool stream_monitor::pushes_evicted_since(std::uint64_t from_seq) const {
  return state_->pushes.evicted_since(from_seq);
}

void stream_monitor::record_push_latency(std::chrono::nanoseconds latency) {
  state_->last_push_latency = std::chrono::duration<double>(latency).count();
  if (state_->series) {
    state_->series->observe_push_latency(latency);
  }
}

void stream_monitor::record_silent_drop() {
  ++state_->silent_drops;
  if (state_->series) {
    state_->series->count_silent_drop();
  }
}

stream_status stream_monitor::status() const {
  const auto& s = *state_;
  stream_status out;
  out.target = s.target;
  out.path = s.path;
  out.connected = s.current == phase::connected;
  out.connected_since = s.connected_since_wall;
  out.connections = s.connection;
  out.reconnects = s.reconnects;
  out.last_disconnect = s.last_disconnect;
  out.last_error = s.last_error;
  out.pushes = s.push_count;
  out.silent_drops = s.silent_drops;
  out.last_push_latency_seconds = s.last_push_latency;
  out.last_pong_latency_seconds = s.last_pong_latency;
  return out;
}

}  // namespace meshwatch

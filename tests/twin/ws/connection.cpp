#include "tests/twin/ws/connection.hpp"

#include <random>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tests/twin/ws/handshake.hpp"
#include "tests/twin/ws/routing.hpp"

namespace meshwatch::twin::ws_detail {
namespace asio = boost::asio;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// After our final Close: how long we wait for the peer's FIN before closing anyway.
constexpr auto close_linger = std::chrono::seconds(1);

const std::string filters_updated = R"({"type":"filters_updated"})";

std::array<std::uint8_t, 4> random_ping_payload() {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::array<std::uint8_t, 4> payload{};
  for (auto& byte : payload) {
    byte = static_cast<std::uint8_t>(rng());
  }
  return payload;
}

connection::frame_ptr make_frame(opcode op, std::string_view payload) {
  return std::make_shared<const std::string>(encode_frame(op, payload));
}

}  // namespace

connection::connection(asio::ip::tcp::socket socket, std::shared_ptr<server_state> server)
    : strand_(asio::make_strand(server->io)),
      socket_(std::move(socket)),
      server_(std::move(server)),
      writer_wake_(strand_),
      reader_resume_(strand_),
      heartbeat_timer_(strand_),
      linger_(strand_) {}

void connection::start(std::shared_ptr<connection> self) {
  auto strand = self->strand_;
  asio::co_spawn(strand, run(std::move(self)), asio::detached);
}

asio::awaitable<void> connection::run(std::shared_ptr<connection> self) {
  const bool upgraded = co_await self->handshake();
  if (!upgraded) {
    self->hard_close();
    co_return;
  }
  // Like mesh-rt, the connect decision runs only after the 101 is on the wire.
  auto route = route_connection(self->request_for_route_);
  if (self->server_->reject_all.load()) {
    route = route_rejected{};
  }
  if (const auto* panic = std::get_if<route_panic>(&route)) {
    self->server_->runtime_panic(panic->message);  // does not return
  }
  if (const auto* sub = std::get_if<route_subscriber>(&route)) {
    self->mode_ = mode::subscriber;
    self->room_ = sub->room;
    self->server_->rooms.join(self->room_, self);
  } else if (std::holds_alternative<route_ingest>(route)) {
    self->mode_ = mode::ingest;
  } else {
    self->mode_ = mode::rejected;
  }
  auto strand = self->strand_;
  asio::co_spawn(strand, write_loop(self), asio::detached);
  asio::co_spawn(strand, read_loop(self), asio::detached);
  if (self->mode_ == mode::rejected) {
    self->begin_close(close_code::policy_violation, "rejected");
  } else {
    asio::co_spawn(strand, heartbeat(self), asio::detached);
  }
}

asio::awaitable<void> connection::read_loop(std::shared_ptr<connection> self) {
  connection& c = *self;
  for (;;) {
    // Backpressure: stop reading while our own replies or the ingest backlog pile up, the way a
    // blocking write on mesh-rt's reader thread would.
    while (!c.finished_ && !c.ending_ && c.must_pause()) {
      c.reader_resume_.expires_at(asio::steady_timer::time_point::max());
      co_await c.reader_resume_.async_wait(nothrow);
    }
    if (c.finished_) {
      break;
    }
    std::array<std::uint8_t, 2> head{};
    if (auto [ec, n] = co_await asio::async_read(c.socket_, asio::buffer(head), nothrow); ec) {
      break;  // EOF, reset, or our own close
    }
    // Frame-level errors end the connection without a Close frame (RUNTIME.md §9.4).
    const auto start = parse_frame_start(head[0], head[1]);
    if (!start) {
      break;
    }
    std::array<std::uint8_t, 12> ext{};
    const std::size_t extra = start->extra_header_bytes();
    if (extra > 0) {
      if (auto [ec, n] = co_await asio::async_read(c.socket_, asio::buffer(ext.data(), extra), nothrow); ec) {
        break;
      }
    }
    const auto length = parse_payload_length(*start, ext.data());
    if (!length) {
      break;
    }
    std::string payload(*length, '\0');
    if (*length > 0) {
      if (auto [ec, n] = co_await asio::async_read(c.socket_, asio::buffer(payload), nothrow); ec) {
        break;
      }
    }
    if (start->masked) {
      unmask(payload, ext.data() + (extra - 4));  // masking is honoured, not required
    }
    if (c.ending_) {
      continue;  // our Close is out: drain until the peer closes
    }
    c.on_frame(*start, std::move(payload));
  }
  c.hard_close();
}

void connection::on_frame(const frame_start& start, std::string payload) {
  switch (start.op) {
    case opcode::pong:
      // Only the pong echoing our outstanding ping counts; unsolicited pongs are ignored.
      if (pending_ping_ && payload.size() == 4 &&
          std::equal(payload.begin(), payload.end(), pending_ping_->begin(),
                     [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; })) {
        pending_ping_.reset();
      }
      return;
    case opcode::ping:
      if (!server_->no_pong.load()) {
        enqueue(make_frame(opcode::pong, payload));
      }
      return;
    case opcode::close:
      // Echo the code (1005 when there was none, which RFC 6455 forbids on the wire) with an
      // empty reason.
      begin_close(close_code_of(payload), "");
      return;
    default: break;
  }
  switch (assembler_.add(start, std::move(payload))) {
    case message_assembler::result::accumulating: return;
    case message_assembler::result::too_big: begin_close(close_code::too_big, "message too big"); return;
    case message_assembler::result::protocol_error:
      begin_close(close_code::protocol_error, assembler_.protocol_error_reason());
      return;
    case message_assembler::result::complete: break;
  }
  std::string message = assembler_.take_message();
  if (assembler_.message_opcode() == opcode::text && !is_valid_utf8(message)) {
    begin_close(close_code::invalid_data, "invalid UTF-8");
    return;
  }
  on_message(std::move(message));  // binary frames are handed on as strings, unchecked
}

void connection::on_message(std::string message) {
  if (mode_ == mode::subscriber) {
    // Mesher parses the filters but never applies them; the reply is all a client can observe.
    enqueue(make_frame(opcode::text, filters_updated));
    return;
  }
  ingest_backlog_.push_back(std::move(message));
  if (!ingest_busy_) {
    next_ingest();
  }
}

void connection::next_ingest() {
  if (ingest_backlog_.empty() || ending_ || finished_) {
    return;
  }
  ingest_busy_ = true;
  std::string frame = std::move(ingest_backlog_.front());
  ingest_backlog_.pop_front();
  // The hook may block on PostgreSQL: never on the io_context. One at a time per connection,
  // in order, like the single Mesher actor per connection.
  asio::post(server_->workers, [self = shared_from_this(), frame = std::move(frame)] {
    auto reply = self->server_->ingest(frame);
    asio::post(self->strand_,
               [self, reply = std::move(reply)]() mutable { self->ingest_done(std::move(reply)); });
  });
}

void connection::ingest_done(std::optional<std::string> reply) {
  ingest_busy_ = false;
  reader_resume_.cancel();
  if (ending_ || finished_) {
    return;
  }
  if (!reply) {
    crashed_ = true;
    begin_close(close_code::internal_error, "internal error");
    return;
  }
  enqueue(make_frame(opcode::text, *reply));
  next_ingest();
}

asio::awaitable<void> connection::heartbeat(std::shared_ptr<connection> self) {
  connection& c = *self;
  auto last_ping = std::chrono::steady_clock::now();
  for (;;) {
    c.heartbeat_timer_.expires_at(last_ping + c.server_->ping_interval());
    if (auto [ec] = co_await c.heartbeat_timer_.async_wait(nothrow); ec || c.ending_ || c.finished_) {
      co_return;
    }
    last_ping = std::chrono::steady_clock::now();
    if (c.server_->no_pong.load()) {
      continue;  // fault: no keep-alive traffic from the server at all
    }
    const auto payload = random_ping_payload();
    c.pending_ping_ = payload;
    c.enqueue(make_frame(opcode::ping, std::string_view(reinterpret_cast<const char*>(payload.data()), 4)));
    c.heartbeat_timer_.expires_after(c.server_->pong_timeout());
    if (auto [ec] = co_await c.heartbeat_timer_.async_wait(nothrow); ec || c.ending_ || c.finished_) {
      co_return;
    }
    if (c.pending_ping_ && *c.pending_ping_ == payload) {
      if (c.server_->no_pong.load()) {
        c.pending_ping_.reset();  // the fault started meanwhile: stay silent rather than close
        continue;
      }
      c.begin_close(close_code::going_away, "pong timeout");
      co_return;
    }
  }
}

asio::awaitable<void> connection::write_loop(std::shared_ptr<connection> self) {
  connection& c = *self;
  for (;;) {
    frame_ptr frame;
    {
      std::lock_guard lock(c.queue_mutex_);
      if (!c.queue_.empty()) {
        frame = c.queue_.front();
      }
    }
    if (c.finished_) {
      co_return;
    }
    if (!frame) {
      if (c.ending_) {
        // Final Close written: half-close, then give the peer a moment to close its side so our
        // close() does not turn into an RST that could destroy the Close frame in flight.
        boost::system::error_code ignored;
        c.socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        c.linger_.expires_after(close_linger);
        co_await c.linger_.async_wait(nothrow);
        c.hard_close();
        co_return;
      }
      c.writer_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await c.writer_wake_.async_wait(nothrow);
      continue;
    }
    // No write timeout, as in mesh-rt: a peer that stops reading stalls this queue (F-36).
    const auto [ec, n] = co_await asio::async_write(c.socket_, asio::buffer(*frame), nothrow);
    {
      std::lock_guard lock(c.queue_mutex_);
      if (!c.queue_.empty() && c.queue_.front() == frame) {
        c.queue_.pop_front();
        c.queued_bytes_ -= frame->size();
      }
    }
    c.queue_space_.notify_all();
    c.reader_resume_.cancel();
    if (ec) {
      c.hard_close();
      co_return;
    }
  }
}

void connection::enqueue(frame_ptr frame) {
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_closed_) {
      return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
  }
  writer_wake_.cancel();
}

bool connection::must_pause() {
  {
    std::lock_guard lock(queue_mutex_);
    if (queued_bytes_ >= server_->limit.max_queue_bytes || queue_.size() >= server_->limit.max_queue_frames) {
      return true;
    }
  }
  return ingest_backlog_.size() >= server_->limit.max_ingest_backlog;
}

bool connection::push_broadcast(frame_ptr frame, bool may_block) {
  {
    std::unique_lock lock(queue_mutex_);
    const auto full = [&] {
      return queued_bytes_ > 0 && (queued_bytes_ + frame->size() > server_->limit.max_queue_bytes ||
                                   queue_.size() >= server_->limit.max_queue_frames);
    };
    if (may_block) {
      queue_space_.wait(lock, [&] { return queue_closed_ || !full(); });
    }
    if (queue_closed_ || full()) {
      return false;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
  }
  wake_writer();
  return true;
}

void connection::wake_writer() {
  if (wake_posted_.exchange(true)) {
    return;
  }
  asio::post(strand_, [self = shared_from_this()] {
    self->wake_posted_.store(false);
    self->writer_wake_.cancel();
  });
}

void connection::begin_close(std::uint16_t code, const std::string& reason) {
  if (ending_ || finished_) {
    return;
  }
  ending_ = true;
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::make_shared<const std::string>(encode_close(code, reason)));
    queued_bytes_ += queue_.back()->size();
    queue_closed_ = true;  // nothing may follow our Close
  }
  queue_space_.notify_all();
  writer_wake_.cancel();
  heartbeat_timer_.cancel();
  reader_resume_.cancel();
}

void connection::hard_close() {
  if (finished_) {
    return;
  }
  finished_ = true;
  ending_ = true;
  {
    std::lock_guard lock(queue_mutex_);
    queue_closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  queue_space_.notify_all();  // release broadcasters blocked on this connection
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  writer_wake_.cancel();
  reader_resume_.cancel();
  heartbeat_timer_.cancel();
  linger_.cancel();
  if (mode_ == mode::subscriber) {
    server_->rooms.leave(room_, this);
  }
  // Mesher's on_close prints this for every accepted connection, whatever the close code was.
  if (mode_ == mode::subscriber || mode_ == mode::ingest) {
    server_->out(crashed_ ? "[WS] Connection closed: 1011" : "[WS] Connection closed: 1000");
  }
  server_->remove(this);
}

void connection::abort() {
  {
    std::lock_guard lock(queue_mutex_);
    queue_closed_ = true;
  }
  queue_space_.notify_all();
  asio::post(strand_, [self = shared_from_this()] { self->hard_close(); });
}

}  // namespace meshwatch::twin::ws_detail

#include "daemon/console/pipe_reader.hpp"

#include <fcntl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <string>

#include <spdlog/spdlog.h>

namespace meshwatch {
namespace asio = boost::asio;

struct pipe_reader::state {
  state(asio::io_context& io, int fd) : io(io), pipe(io, fd) {}

  struct segment {
    std::string bytes;
    std::size_t dropped_before = 0;
  };

  asio::io_context& io;
  asio::posix::stream_descriptor pipe;
  pipe_reader_options options;
  data_handler on_data;
  gap_handler on_gap;
  eof_handler on_eof;

  std::deque<segment> backlog;
  std::size_t backlog_bytes = 0;
  std::size_t pending_drop = 0;  // dropped since the last queued segment
  bool processing_scheduled = false;
  bool eof = false;
  bool eof_reported = false;
  bool stopped = true;
  std::uint64_t read_total = 0;
  std::uint64_t dropped_total = 0;
};

namespace {

using state = pipe_reader::state;

void schedule(const std::shared_ptr<state>& s);

void process(const std::shared_ptr<state>& s) {
  s->processing_scheduled = false;
  if (s->stopped) {
    return;
  }
  auto until = std::chrono::steady_clock::now() + s->options.time_slice;
  try {
    while (!s->backlog.empty() && std::chrono::steady_clock::now() < until) {
      auto& seg = s->backlog.front();
      if (seg.dropped_before > 0) {
        if (s->on_gap) {
          s->on_gap(seg.dropped_before);
        }
        seg.dropped_before = 0;
      }
      std::size_t n = std::min(seg.bytes.size(), s->options.max_bytes_per_call);
      std::string head = seg.bytes.substr(0, n);
      seg.bytes.erase(0, n);
      s->backlog_bytes -= n;
      if (seg.bytes.empty()) {
        s->backlog.pop_front();
      }
      if (s->on_data) {
        s->on_data(head);
      }
    }
    if (s->backlog.empty() && s->eof && !s->eof_reported) {
      if (s->pending_drop > 0 && s->on_gap) {
        s->on_gap(s->pending_drop);
        s->pending_drop = 0;
      }
      s->eof_reported = true;
      if (s->on_eof) {
        s->on_eof();
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("console pipe: processing failed: {}", e.what());
  }
  if (!s->backlog.empty()) {
    schedule(s);
  }
}

void schedule(const std::shared_ptr<state>& s) {
  if (s->processing_scheduled || s->stopped) {
    return;
  }
  s->processing_scheduled = true;
  auto step = [s] { process(s); };
  asio::post(s->io, std::move(step));
}

asio::awaitable<void> read_loop(std::shared_ptr<state> s) {
  // A pipe buffer is 64 KiB; reading that much per wakeup empties it in one go.
  std::array<char, 64 * 1024> buf{};
  while (!s->stopped) {
    auto [ec, n] = co_await s->pipe.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (s->stopped) {
      co_return;
    }
    if (n > 0) {
      s->read_total += n;
      if (s->backlog_bytes + n > s->options.max_backlog_bytes) {
        s->pending_drop += n;
        s->dropped_total += n;
      } else {
        s->backlog.push_back({std::string(buf.data(), n), s->pending_drop});
        s->pending_drop = 0;
        s->backlog_bytes += n;
      }
      schedule(s);
    }
    if (ec) {
      if (ec != asio::error::eof) {
        spdlog::warn("console pipe: read failed: {}", ec.message());
      }
      s->eof = true;
      schedule(s);
      co_return;
    }
  }
}

}  // namespace

pipe_reader::pipe_reader(asio::io_context& io, int fd, pipe_reader_options options, data_handler on_data,
                         gap_handler on_gap, eof_handler on_eof)
    : state_(std::make_shared<state>(io, fd)) {
  state_->options = options;
  state_->on_data = std::move(on_data);
  state_->on_gap = std::move(on_gap);
  state_->on_eof = std::move(on_eof);
  boost::system::error_code ignored;
  state_->pipe.non_blocking(true, ignored);
}

pipe_reader::~pipe_reader() { stop(); }

void pipe_reader::start() {
  if (!state_->stopped) {
    return;
  }
  state_->stopped = false;
  asio::co_spawn(state_->io, read_loop(state_), asio::detached);
}

void pipe_reader::stop() {
  if (state_->stopped) {
    return;
  }
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->pipe.close(ignored);
}

std::uint64_t pipe_reader::bytes_read() const { return state_->read_total; }
std::uint64_t pipe_reader::bytes_dropped() const { return state_->dropped_total; }
std::size_t pipe_reader::backlog_bytes() const { return state_->backlog_bytes; }

}  // namespace meshwatch

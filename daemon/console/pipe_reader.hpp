#pragma once
// Drains one of a child's console pipes on the loop and never stops reading: a blocked pipe
// stalls Mesher's printing workers (F-38). Reading and processing are decoupled by a bounded
// backlog; processing runs in short time slices, and when it falls behind the newest bytes are
// dropped and counted instead of leaving the pipe unread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

struct pipe_reader_options {
  std::size_t max_backlog_bytes = 1024 * 1024;
  /** Largest slice handed to on_data in one call. */
  std::size_t max_bytes_per_call = 64 * 1024;
  /** Processing yields to reads after this long. */
  std::chrono::microseconds time_slice{2000};
};

class pipe_reader {
 public:
  using data_handler = std::function<void(std::string_view bytes)>;
  /** `bytes` were dropped right before the next on_data. */
  using gap_handler = std::function<void(std::size_t bytes)>;
  /** The writer closed the pipe and every byte read was processed. */
  using eof_handler = std::function<void()>;

  /** Takes ownership of `fd` (made non-blocking). */
  pipe_reader(boost::asio::io_context& io, int fd, pipe_reader_options options, data_handler on_data,
              gap_handler on_gap, eof_handler on_eof);
  ~pipe_reader();
  pipe_reader(const pipe_reader&) = delete;
  pipe_reader& operator=(const pipe_reader&) = delete;

  void start();
  /** Stops reading and closes the fd. Only at shutdown: the writer gets SIGPIPE afterwards. */
  void stop();

  std::uint64_t bytes_read() const;
  std::uint64_t bytes_dropped() const;
  std::size_t backlog_bytes() const;

  struct state;  // public name so the .cpp's coroutine can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

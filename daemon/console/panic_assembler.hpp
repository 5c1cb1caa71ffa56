#pragma once
// Groups a multi-line Rust panic block (RUNTIME.md §5.5) into one event: the first header gives
// thread, tid and location (the root cause), the next line(s) the message; the second header of
// a non-unwinding abort, the notes, the backtrace and the final abort line belong to the same
// block. A block ends at its own last line (abort or `HTTP handler panicked`), at the first
// unrelated stderr line, after a quiet time, or when the stream ends. Pure: time comes from the
// lines and from expire(now).
#include <chrono>
#include <optional>
#include <vector>

#include "daemon/console/console_classifier.hpp"
#include "daemon/console/console_event.hpp"
#include "daemon/console/console_line.hpp"

namespace meshwatch {

class panic_assembler {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr std::chrono::milliseconds default_quiet{50};
  static constexpr std::size_t max_stored_lines = 64;
  static constexpr std::size_t max_message_lines = 16;
  static constexpr std::size_t max_message_bytes = 4096;
  static constexpr std::size_t max_block_lines = 1024;

  explicit panic_assembler(std::chrono::milliseconds quiet = default_quiet);

  struct result {
    bool consumed = false;                // the line is part of a panic block: do not report it alone
    std::vector<console_event> finished;  // panic events completed by this line (0, 1 or 2)
  };
  result feed(const console_line& line, const classification& c);

  /** Ends the open block if its quiet time has passed. */
  std::optional<console_event> expire(time_point now);
  /** Ends the open block now (end of stream, process exit). */
  std::optional<console_event> flush();
  /** When expire() will end the open block; nullopt if none is open. */
  std::optional<time_point> deadline() const;
  bool active() const { return block_.has_value(); }

 private:
  enum class phase : std::uint8_t { message, after_message, second_message, backtrace };
  struct block {
    panic_details details;
    console_event event;
    phase at = phase::message;
    bool second_header = false;
    std::size_t message_lines = 0;
    std::size_t total_lines = 0;
    time_point last{};
  };

  void start(const console_line& line, const classification& c);
  void add(const console_line& line);
  void add_message(const std::string& text);
  console_event finish();

  std::chrono::milliseconds quiet_;
  std::optional<block> block_;
};

}  // namespace meshwatch

#pragma once
// Turns byte chunks (from a file, a pipe, a journal entry) into bounded lines. Mesher's output
// is not trusted to be text: any bytes are accepted, a line longer than the limit is cut and
// counted, and the rest of it is skipped up to its newline, so memory per stream stays bounded.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "daemon/console/console_line.hpp"

namespace meshwatch {

/** Replaces NUL and every byte that is not part of valid UTF-8 by U+FFFD. Returns true if any was. */
bool sanitize_utf8(std::string_view in, std::string& out);

class line_splitter {
 public:
  using sink = std::function<void(console_line)>;
  static constexpr std::size_t default_max_line_bytes = 64 * 1024;

  line_splitter(console_stream stream, std::size_t max_line_bytes, sink out);

  /** Splits at '\n' (a CR before it is dropped); every complete line goes to the sink. */
  void feed(std::string_view bytes, console_time received);
  /** Bytes were lost before the next ones: the partial line is emitted and the next is marked. */
  void mark_gap(console_time received);
  /** End of stream or rotation: the partial line, if any, is emitted as a line. */
  void flush(console_time received);

  std::uint64_t lines() const { return lines_; }
  std::uint64_t truncated_lines() const { return truncated_lines_; }
  std::size_t pending_bytes() const { return pending_.size(); }

 private:
  void append(std::string_view part);
  void emit(console_time received);

  console_stream stream_;
  std::size_t max_line_bytes_;
  sink out_;
  std::string pending_;
  bool truncated_ = false;
  bool gap_ = false;
  std::uint64_t lines_ = 0;
  std::uint64_t truncated_lines_ = 0;
};

}  // namespace meshwatch

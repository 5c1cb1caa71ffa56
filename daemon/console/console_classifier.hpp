#pragma once
// Classifies one console line against every text Mesher and its runtime print (RUNTIME.md
// §3–§5, API.md §1.4–§1.5, FAILURES.md D2–D4, D11). RE2 keeps matching linear in the line
// length whatever Mesher (or a client echoed into an error line) prints. RE2 stays out of
// this header.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/console/console_event.hpp"
#include "daemon/console/console_line.hpp"

namespace meshwatch {

/** A pattern from the config: an RE2 regex that may match anywhere in the line (like grep). */
struct user_pattern {
  std::string name;
  std::string regex;
  console_event_kind kind = console_event_kind::user_match;
  console_severity severity = console_severity::warning;
};

/** The role a line can play in a Rust panic block (RUNTIME.md §5.5); assembled by panic_assembler. */
enum class panic_line : std::uint8_t {
  none,
  blank,               // the empty line before each header
  header,              // thread '<name>' (<tid>) panicked at <file>:<l>:<c>:
  legacy_header,       // thread '<name>' panicked at '<msg>', <file>:<l>:<c>   (Rust < 1.73)
  mesh_message,        // Mesh panic at <file>:<line>: <msg>
  note,                // note: run with `RUST_BACKTRACE=1` …
  backtrace_header,    // stack backtrace:
  backtrace_frame,     //    3:     0x… - symbol   /   at file:line:col
  cannot_unwind,       // panic in a function that cannot unwind
  abort,               // thread caused non-unwinding panic. aborting.
  handler_panicked,    // [mesh-rt] HTTP handler panicked: … (a caught panic: ends the block)
  allocation_failure,  // memory allocation of <N> bytes failed (abort without a panic block)
};

struct classification {
  std::optional<console_event_kind> kind;  // a single-line event; nullopt for none
  console_severity severity = console_severity::info;
  panic_line panic = panic_line::none;
  std::optional<heartbeat> beat;
  std::string detail;
  /** The text is one of Mesher's stdout lines (lets the assembler skip interleaved stdout). */
  bool stdout_text = false;
  // Panic header captures.
  std::string thread;
  std::optional<std::int64_t> os_tid;
  std::string location;
  std::string message;  // legacy header only: the message is on the header line
};

class console_classifier {
 public:
  /** Throws std::invalid_argument naming the pattern if a user regex does not compile. */
  explicit console_classifier(std::vector<user_pattern> user_patterns = {});
  ~console_classifier();
  console_classifier(console_classifier&&) noexcept;
  console_classifier& operator=(console_classifier&&) noexcept;

  /**
   * The built-in classification. A line on the wrong stream (e.g. the readiness line on
   * stdout) is not classified; `merged` lines (file, journald) may be either.
   */
  classification classify(std::string_view text, console_stream stream) const;
  /** The first user pattern matching anywhere in the line, or nullptr. */
  const user_pattern* match_user(std::string_view text) const;
  const std::vector<user_pattern>& user_patterns() const;

  /** For config validation: the RE2 error for `regex`, or nullopt if it compiles. */
  static std::optional<std::string> check_user_regex(const std::string& regex);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace meshwatch

#include "daemon/console/panic_assembler.hpp"

namespace meshwatch {
namespace {

bool is_second_header(const classification& c) {
  // The abort half of the block is raised by core::panicking (panic_cannot_unwind).
  return c.panic == panic_line::header &&
         c.location.find("library/core/src/panicking.rs") != std::string::npos;
}

panic_kind kind_of(const std::string& message) {
  if (message.rfind("Mesh panic at", 0) == 0) {
    return panic_kind::mesh;
  }
  if (message.find("failed printing to stdout") != std::string::npos) {
    return panic_kind::stdout_pipe;
  }
  return panic_kind::runtime;
}

}  // namespace

panic_assembler::panic_assembler(std::chrono::milliseconds quiet) : quiet_(quiet) {}

void panic_assembler::start(const console_line& line, const classification& c) {
  block b;
  b.details.first_line = line.received;
  b.details.thread = c.thread;
  b.details.os_tid = c.os_tid;
  b.details.location = c.location;
  b.event.kind = console_event_kind::panic;
  b.event.stream = line.stream;
  b.event.line = line.text;
  block_ = std::move(b);
  add(line);
}

void panic_assembler::add(const console_line& line) {
  auto& b = *block_;
  ++b.total_lines;
  b.last = line.received.mono;
  b.event.time = line.received;
  b.event.truncated = b.event.truncated || line.truncated;
  if (b.details.lines.size() < max_stored_lines) {
    b.details.lines.push_back(line.text);
  }
}

void panic_assembler::add_message(const std::string& text) {
  auto& b = *block_;
  if (b.message_lines >= max_message_lines) {
    return;
  }
  ++b.message_lines;
  auto& m = b.details.message;
  if (!m.empty()) {
    m.push_back('\n');
  }
  m.append(text, 0, max_message_bytes > m.size() ? max_message_bytes - m.size() : 0);
}

console_event panic_assembler::finish() {
  block b = std::move(*block_);
  block_.reset();
  if (b.details.kind != panic_kind::allocation) {
    b.details.kind = kind_of(b.details.message);
  }
  b.event.detail = b.details.message;
  b.event.severity = b.details.caught ? console_severity::error : console_severity::fatal;
  b.event.panic = std::move(b.details);
  return std::move(b.event);
}

panic_assembler::result panic_assembler::feed(const console_line& line, const classification& c) {
  result r;
  // Panics are printed on stderr. In a merged stream a stdout line from another thread may land
  // inside the block; it is neither part of it nor the end of it.
  if (line.stream == console_stream::out) {
    return r;
  }
  if (block_ && line.stream == console_stream::merged && c.stdout_text) {
    return r;
  }
  if (block_ && block_->total_lines >= max_block_lines) {
    r.finished.push_back(finish());
  }

  switch (c.panic) {
    case panic_line::header:
    case panic_line::legacy_header: {
      if (block_ && !block_->second_header && is_second_header(c)) {
        block_->second_header = true;
        block_->at = phase::second_message;
        add(line);
        r.consumed = true;
        return r;
      }
      if (block_) {
        r.finished.push_back(finish());
      }
      start(line, c);
      if (c.panic == panic_line::legacy_header) {
        block_->details.legacy_header = true;
        add_message(c.message);
        block_->at = phase::after_message;
      }
      r.consumed = true;
      return r;
    }
    case panic_line::allocation_failure: {
      if (block_) {
        r.finished.push_back(finish());
      }
      start(line, c);
      block_->details.kind = panic_kind::allocation;
      block_->details.aborted = true;
      block_->details.complete = true;
      add_message(line.text);
      r.finished.push_back(finish());
      r.consumed = true;
      return r;
    }
    case panic_line::mesh_message: {
      if (!block_) {
        start(line, c);  // the header was lost (cut, or the file started mid-block)
      } else {
        add(line);
      }
      if (block_->at == phase::message || block_->message_lines == 0) {
        add_message(line.text);
      }
      r.consumed = true;
      return r;
    }
    case panic_line::cannot_unwind:
    case panic_line::abort: {
      if (!block_) {
        start(line, c);
      } else {
        add(line);
      }
      block_->details.aborted = true;
      block_->at = phase::backtrace;
      if (c.panic == panic_line::abort) {
        block_->details.complete = true;
        r.finished.push_back(finish());
      }
      r.consumed = true;
      return r;
    }
    case panic_line::handler_panicked: {
      if (!block_) {
        return r;  // a lone caught panic line: reported as its own event by the caller
      }
      add(line);
      block_->details.caught = true;
      block_->details.complete = true;
      r.finished.push_back(finish());
      r.consumed = true;
      return r;
    }
    case panic_line::note:
    case panic_line::backtrace_header:
    case panic_line::backtrace_frame:
    case panic_line::blank: {
      if (!block_) {
        return r;
      }
      auto& b = *block_;
      if (c.panic == panic_line::backtrace_frame && b.at == phase::message && b.message_lines > 0) {
        add(line);
        add_message(line.text);  // a message line that merely looks like a frame
        r.consumed = true;
        return r;
      }
      add(line);
      if (c.panic == panic_line::backtrace_frame) {
        ++b.details.backtrace_frames;
      }
      if (b.at == phase::message || b.at == phase::second_message) {
        b.at = c.panic == panic_line::backtrace_header ? phase::backtrace : phase::after_message;
      }
      r.consumed = true;
      return r;
    }
    case panic_line::none: break;
  }

  if (!block_) {
    return r;
  }
  auto& b = *block_;
  // Anything that is not a known console text may be the panic message (it follows the header).
  if (!c.kind && b.at == phase::message && b.message_lines < max_message_lines) {
    add(line);
    add_message(line.text);
    r.consumed = true;
    return r;
  }
  if (!c.kind && b.at == phase::second_message) {
    add(line);
    b.at = phase::backtrace;
    r.consumed = true;
    return r;
  }
  r.finished.push_back(finish());  // an unrelated line ends the block and is reported on its own
  return r;
}

std::optional<console_event> panic_assembler::expire(time_point now) {
  if (block_ && now >= block_->last + quiet_) {
    return finish();
  }
  return std::nullopt;
}

std::optional<console_event> panic_assembler::flush() {
  if (block_) {
    return finish();
  }
  return std::nullopt;
}

std::optional<panic_assembler::time_point> panic_assembler::deadline() const {
  if (!block_) {
    return std::nullopt;
  }
  return block_->last + quiet_;
}

}  // namespace meshwatch

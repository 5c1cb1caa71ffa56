// Panic blocks of RUNTIME.md §5.5 become exactly one event each, with thread, location and message.
#include <gtest/gtest.h>

#include <sstream>

#include "daemon/console/console_classifier.hpp"
#include "daemon/console/panic_assembler.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

const char* const abort_block =
    "\n"
    "thread '<unnamed>' (4242) panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
    "Mesh panic at <unknown>:0: non-exhaustive match in switch\n"
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
    "\n"
    "thread '<unnamed>' (4242) panicked at /rustc/254b5960/library/core/src/panicking.rs:225:5:\n"
    "panic in a function that cannot unwind\n"
    "stack backtrace:\n"
    "   0:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::libunwind::trace\n"
    "   1:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::trace_unsynchronized\n"
    "   2:     0x5581a1f3c8e2 - std::sys::backtrace::_print_fmt\n"
    "   3:     0x5581a1f1b1a3 - core::panicking::panic_nounwind_fmt\n"
    "   4:     0x5581a1f1b237 - core::panicking::panic_cannot_unwind\n"
    "   5:     0x5581a1e4d0a1 - mesh_panic\n"
    "thread caused non-unwinding panic. aborting.\n";

class assembler_test : public ::testing::Test {
 protected:
  // Feeds each line 1 ms after the previous one; returns whether each was consumed.
  std::vector<bool> feed(const std::string& text, console_stream stream = console_stream::err) {
    std::vector<bool> consumed;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) {
      consumed.push_back(feed_line(l, stream));
    }
    return consumed;
  }
  bool feed_line(const std::string& text, console_stream stream = console_stream::err) {
    now += 1ms;
    console_line line;
    line.text = text;
    line.stream = stream;
    line.received = {std::chrono::system_clock::now(), now};
    auto r = assembler.feed(line, classifier.classify(text, stream));
    for (auto& e : r.finished) {
      events.push_back(std::move(e));
    }
    return r.consumed;
  }

  console_classifier classifier;
  panic_assembler assembler;
  clock::time_point now{};
  std::vector<console_event> events;
};

TEST_F(assembler_test, abort_block_is_one_event_at_its_last_line) {
  auto consumed = feed(abort_block);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(assembler.active());
  for (std::size_t i = 1; i < consumed.size(); ++i) {
    EXPECT_TRUE(consumed[i]) << "line " << i;
  }
  const auto& e = events[0];
  EXPECT_EQ(e.kind, console_event_kind::panic);
  EXPECT_EQ(e.severity, console_severity::fatal);
  ASSERT_TRUE(e.panic);
  EXPECT_EQ(e.panic->thread, "<unnamed>");
  EXPECT_EQ(e.panic->os_tid, 4242);
  EXPECT_EQ(e.panic->location, "crates/mesh-rt/src/panic.rs:33:9");
  EXPECT_EQ(e.panic->message, "Mesh panic at <unknown>:0: non-exhaustive match in switch");
  EXPECT_EQ(e.detail, e.panic->message);
  EXPECT_EQ(e.panic->kind, panic_kind::mesh);
  EXPECT_TRUE(e.panic->aborted);
  EXPECT_TRUE(e.panic->complete);
  EXPECT_FALSE(e.panic->caught);
  EXPECT_EQ(e.panic->backtrace_frames, 6u);
  EXPECT_EQ(e.panic->lines.size(), 14u);  // the blank line before the header is not kept
  EXPECT_EQ(e.line, "thread '<unnamed>' (4242) panicked at crates/mesh-rt/src/panic.rs:33:9:");
}

TEST_F(assembler_test, caught_panic_ends_at_the_handler_line) {
  feed(
      "\n"
      "thread '<unnamed>' (77) panicked at library/alloc/src/raw_vec.rs:25:5:\n"
      "capacity overflow\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(feed_line("[mesh-rt] HTTP handler panicked: Any { .. }"));
  ASSERT_EQ(events.size(), 1u);
  const auto& p = *events[0].panic;
  EXPECT_TRUE(p.caught);
  EXPECT_FALSE(p.aborted);
  EXPECT_EQ(p.message, "capacity overflow");
  EXPECT_EQ(p.kind, panic_kind::runtime);
  EXPECT_EQ(events[0].severity, console_severity::error);
}

TEST_F(assembler_test, lone_handler_line_is_not_consumed) {
  EXPECT_FALSE(feed_line("[mesh-rt] HTTP handler panicked: Any { .. }"));
  EXPECT_TRUE(events.empty());
}

TEST_F(assembler_test, legacy_block_ends_after_the_quiet_time) {
  feed(
      "thread '<unnamed>' panicked at 'mesh_list_get: index 3 out of bounds (len 2)', "
      "crates/mesh-rt/src/collections/list.rs:134:13\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
  ASSERT_TRUE(assembler.deadline());
  EXPECT_EQ(*assembler.deadline(), now + panic_assembler::default_quiet);
  EXPECT_FALSE(assembler.expire(now + 49ms));
  auto e = assembler.expire(now + 50ms);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->panic->legacy_header);
  EXPECT_EQ(e->panic->message, "mesh_list_get: index 3 out of bounds (len 2)");
  EXPECT_EQ(e->panic->location, "crates/mesh-rt/src/collections/list.rs:134:13");
  EXPECT_EQ(e->panic->kind, panic_kind::runtime);
  EXPECT_FALSE(e->panic->complete);
  EXPECT_FALSE(assembler.active());
  EXPECT_FALSE(assembler.expire(now + 1s));
}

TEST_F(assembler_test, unrelated_stderr_line_ends_the_block_and_stays_unconsumed) {
  feed(
      "thread '<unnamed>' (5) panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
      "Mesh panic at <unknown>:0: non-exhaustive match\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
  EXPECT_FALSE(feed_line("[mesh-rt] accept error: Too many open files (os error 24)"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].panic->message, "Mesh panic at <unknown>:0: non-exhaustive match");
}

TEST_F(assembler_test, stdout_lines_interleaved_on_their_own_stream_do_not_split_the_block) {
  std::istringstream in(abort_block);
  std::string l;
  int n = 0;
  while (std::getline(in, l)) {
    feed_line(l, console_stream::err);
    if (++n % 3 == 0) {
      EXPECT_FALSE(feed_line("[Mesher] Load monitor: 0 events/5s, 0 peers", console_stream::out));
      EXPECT_FALSE(feed_line("some other stdout text", console_stream::out));
    }
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].panic->complete);
}

TEST_F(assembler_test, stdout_lines_interleaved_in_a_merged_stream_do_not_split_the_block) {
  std::istringstream in(abort_block);
  std::string l;
  int n = 0;
  while (std::getline(in, l)) {
    feed_line(l, console_stream::merged);
    if (++n == 4 || n == 9) {
      EXPECT_FALSE(feed_line("[Mesher] Health check: all services responsive", console_stream::merged));
    }
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].panic->message, "Mesh panic at <unknown>:0: non-exhaustive match in switch");
  EXPECT_TRUE(events[0].panic->aborted);
}

TEST_F(assembler_test, two_panics_in_a_row_are_two_events) {
  feed(
      "thread 'a' (1) panicked at src/a.rs:1:1:\n"
      "first\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
      "thread 'b' (2) panicked at src/b.rs:2:2:\n"
      "second\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].panic->thread, "a");
  auto e = assembler.flush();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->panic->thread, "b");
  EXPECT_EQ(e->panic->message, "second");
}

TEST_F(assembler_test, multi_line_message_is_kept) {
  feed(
      "thread '<unnamed>' (9) panicked at src/x.rs:1:2:\n"
      "line one\n"
      "line two\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
  auto e = assembler.flush();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->panic->message, "line one\nline two");
}

TEST_F(assembler_test, backtrace_of_the_first_panic_with_at_lines) {
  feed(
      "thread '<unnamed>' (9) panicked at crates/mesh-rt/src/collections/list.rs:134:13:\n"
      "mesh_list_get: index 5 out of bounds (len 2)\n"
      "stack backtrace:\n"
      "   0: rust_begin_unwind\n"
      "             at /rustc/abc/library/std/src/panicking.rs:665:5\n"
      "   1: mesh_list_get\n"
      "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n"
      "\n"
      "thread '<unnamed>' (9) panicked at /rustc/abc/library/core/src/panicking.rs:225:5:\n"
      "panic in a function that cannot unwind\n"
      "stack backtrace:\n"
      "   0: rust_begin_unwind\n"
      "thread caused non-unwinding panic. aborting.\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].panic->message, "mesh_list_get: index 5 out of bounds (len 2)");
  EXPECT_EQ(events[0].panic->backtrace_frames, 4u);
  EXPECT_TRUE(events[0].panic->complete);
}

TEST_F(assembler_test, allocation_failure_is_one_event_at_once) {
  EXPECT_TRUE(feed_line("memory allocation of 18446744073709551615 bytes failed"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].panic->kind, panic_kind::allocation);
  EXPECT_TRUE(events[0].panic->aborted);
  EXPECT_FALSE(assembler.active());
}

TEST_F(assembler_test, broken_stdout_panic_is_its_own_kind) {
  feed(
      "thread '<unnamed>' (3) panicked at library/std/src/io/stdio.rs:1123:9:\n"
      "failed printing to stdout: Broken pipe (os error 32)\n");
  auto e = assembler.flush();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->panic->kind, panic_kind::stdout_pipe);
}

TEST_F(assembler_test, abort_lines_without_a_header_still_make_one_event) {
  feed(
      "panic in a function that cannot unwind\n"
      "stack backtrace:\n"
      "   0:     0x1 - x\n"
      "thread caused non-unwinding panic. aborting.\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].panic->thread.empty());
  EXPECT_TRUE(events[0].panic->aborted);
}

TEST_F(assembler_test, mesh_panic_line_without_header_starts_a_block) {
  EXPECT_TRUE(feed_line("Mesh panic at <unknown>:0: non-exhaustive match in switch"));
  auto e = assembler.flush();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->panic->kind, panic_kind::mesh);
}

TEST_F(assembler_test, stray_backtrace_and_blank_lines_are_left_alone) {
  EXPECT_FALSE(feed_line(""));
  EXPECT_FALSE(feed_line("stack backtrace:"));
  EXPECT_FALSE(feed_line("  3: not a frame of anything"));
  EXPECT_TRUE(events.empty());
  EXPECT_FALSE(assembler.active());
}

TEST_F(assembler_test, panic_text_on_stdout_is_ignored) {
  EXPECT_FALSE(feed_line("thread '<unnamed>' (1) panicked at src/a.rs:1:2:", console_stream::out));
  EXPECT_FALSE(assembler.active());
}

TEST_F(assembler_test, huge_blocks_stay_bounded) {
  feed_line("thread '<unnamed>' (1) panicked at src/a.rs:1:2:");
  feed_line("msg");
  feed_line("stack backtrace:");
  for (int i = 0; i < 5000; ++i) {
    feed_line("  " + std::to_string(i) + ": frame");
  }
  feed_line("thread caused non-unwinding panic. aborting.");
  ASSERT_GE(events.size(), 1u);
  for (const auto& e : events) {
    EXPECT_LE(e.panic->lines.size(), panic_assembler::max_stored_lines);
  }
}

}  // namespace
}  // namespace meshwatch

// tail -F on real files with a real loop: every rotation style, a file that appears later,
// a 1 MiB line and binary bytes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "daemon/console/console_watcher.hpp"
#include "tests/integration/console/watcher_test_util.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using test::append;
using test::run_until;

std::string mark(const std::string& tag) { return "[Mesher] Dropped expired partition: " + tag; }

class file_follow : public ::testing::Test {
 protected:
  void start(bool from_beginning = false, bool inotify = true, std::chrono::milliseconds poll = 100ms) {
    watcher = std::make_unique<console_watcher>(io, registry, test::mesher_options(), std::ref(log));
    file_follower_options o;
    o.path = path;
    o.from_beginning = from_beginning;
    o.use_inotify = inotify;
    o.poll_interval = poll;
    watcher->follow_file(o);
    // Let the follower open the file (or find it missing) before the test writes.
    io.restart();
    io.poll();
  }
  bool wait_for(const std::string& tag, std::chrono::milliseconds timeout = 5s) {
    return run_until(
        io, [&] { return log.has_line(mark(tag)); }, timeout);
  }
  std::vector<std::string> tags() const {
    std::vector<std::string> out;
    for (const auto& e : log.events) {
      if (e.kind == console_event_kind::partition_dropped) {
        out.push_back(e.detail);
      }
    }
    return out;
  }
  double rotations() const { return test::metric(registry, "meshwatch_console_rotations_total"); }

  test::temp_dir dir;
  std::string path = dir.file("console.log");
  boost::asio::io_context io;
  prometheus::Registry registry;
  test::event_log log;
  std::unique_ptr<console_watcher> watcher;
};

TEST_F(file_follow, starts_at_the_end_and_sees_appends) {
  test::write_file(path, mark("old") + "\n");
  start();
  append(path, mark("a") + "\n" + mark("b") + "\n");
  ASSERT_TRUE(wait_for("b"));
  EXPECT_EQ(tags(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(log.events[0].stream, console_stream::merged);
  EXPECT_EQ(log.events[0].target, "mesher");
  EXPECT_EQ(test::metric(registry, "meshwatch_console_lines_total", "stream", "merged"), 2);
}

TEST_F(file_follow, from_beginning_reads_what_is_there) {
  test::write_file(path, mark("old") + "\n");
  start(true);
  ASSERT_TRUE(wait_for("old"));
}

TEST_F(file_follow, partial_line_waits_for_its_newline) {
  test::write_file(path, "");
  start();
  append(path, "[Mesher] Dropped expired partition: hal");
  append(path, "f\n");
  ASSERT_TRUE(wait_for("half"));
}

TEST_F(file_follow, rename_and_create_keeps_every_line) {
  test::write_file(path, "");
  start();
  // The writer keeps its fd: lines written after the rename still go to the old file.
  int writer = ::open(path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(writer, 0);
  auto w = [&](const std::string& s) {
    ASSERT_EQ(::write(writer, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  };
  w(mark("1") + "\n");
  ASSERT_TRUE(wait_for("1"));
  std::filesystem::rename(path, path + ".1");
  w(mark("2") + "\n");
  ::close(writer);
  test::write_file(path, mark("3") + "\n");
  ASSERT_TRUE(wait_for("3"));
  append(path, mark("4") + "\n");
  ASSERT_TRUE(wait_for("4"));
  EXPECT_EQ(tags(), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(rotations(), 1);
}

TEST_F(file_follow, copytruncate_restarts_at_zero) {
  test::write_file(path, "");
  start();
  append(path, mark("before-the-truncation-with-a-long-tag") + "\n");
  ASSERT_TRUE(wait_for("before-the-truncation-with-a-long-tag"));
  // logrotate copytruncate: copy away, then truncate in place; the writer continues (O_APPEND).
  std::filesystem::copy_file(path, path + ".1");
  std::filesystem::resize_file(path, 0);
  append(path, mark("after") + "\n");
  ASSERT_TRUE(wait_for("after"));
  EXPECT_EQ(tags(), (std::vector<std::string>{"before-the-truncation-with-a-long-tag", "after"}));
  EXPECT_EQ(rotations(), 1);
}

TEST_F(file_follow, delete_and_recreate) {
  test::write_file(path, "");
  start();
  append(path, mark("1") + "\n");
  ASSERT_TRUE(wait_for("1"));
  std::filesystem::remove(path);
  // A line in a deleted file nobody writes to any more is simply gone; the new file is read whole.
  test::write_file(path, mark("2") + "\n");
  ASSERT_TRUE(wait_for("2"));
  append(path, mark("3") + "\n");
  ASSERT_TRUE(wait_for("3"));
  EXPECT_EQ(tags(), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(rotations(), 1);
}

TEST_F(file_follow, file_that_does_not_exist_yet) {
  start();
  // Let a few poll rounds find nothing.
  EXPECT_FALSE(run_until(
      io, [&] { return !log.events.empty(); }, 300ms));
  test::write_file(path, mark("first") + "\n");
  ASSERT_TRUE(wait_for("first"));
  append(path, mark("second") + "\n");
  ASSERT_TRUE(wait_for("second"));
  EXPECT_EQ(rotations(), 0);
}

TEST_F(file_follow, inotify_wakes_without_waiting_for_the_poll) {
  test::write_file(path, "");
  start(false, true, 10s);
  ASSERT_TRUE(watcher->inotify_active());
  append(path, mark("fast") + "\n");
  ASSERT_TRUE(wait_for("fast", 2s));  // far below the 10 s poll
}

TEST_F(file_follow, poll_fallback_without_inotify) {
  test::write_file(path, "");
  start(false, false, 50ms);
  EXPECT_FALSE(watcher->inotify_active());
  append(path, mark("polled") + "\n");
  ASSERT_TRUE(wait_for("polled"));
  std::filesystem::rename(path, path + ".1");
  test::write_file(path, mark("rotated") + "\n");
  ASSERT_TRUE(wait_for("rotated"));
  EXPECT_EQ(rotations(), 1);
}

TEST_F(file_follow, one_mebibyte_line_is_cut_and_counted) {
  test::write_file(path, "");
  start();
  append(path, std::string(1024 * 1024, 'y') + "\n" + mark("after-big") + "\n");
  ASSERT_TRUE(wait_for("after-big"));
  EXPECT_EQ(test::metric(registry, "meshwatch_console_lines_truncated_total"), 1);
  EXPECT_EQ(test::metric(registry, "meshwatch_console_lines_total", "stream", "merged"), 2);
}

TEST_F(file_follow, binary_bytes_are_tolerated) {
  test::write_file(path, "");
  start();
  std::string junk;
  for (int i = 0; i < 4096; ++i) {
    junk.push_back(static_cast<char>(i * 37 % 256));
  }
  append(path, junk + "\n[mesh-rt] HTTP server listening on 0.0.0.0:8080\n" + mark("end") + "\n");
  ASSERT_TRUE(wait_for("end"));
  EXPECT_EQ(log.count(console_event_kind::http_listening), 1u);
}

TEST_F(file_follow, panic_block_in_a_file_is_one_event) {
  test::write_file(path, "");
  start();
  append(path,
         "\nthread '<unnamed>' (11) panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
         "Mesh panic at <unknown>:0: non-exhaustive match in switch\n"
         "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
         "[Mesher] Load monitor: 3 events/5s, 0 peers\n"
         "\nthread '<unnamed>' (11) panicked at /rustc/x/library/core/src/panicking.rs:225:5:\n"
         "panic in a function that cannot unwind\n"
         "stack backtrace:\n"
         "   0:     0x1 - mesh_panic\n"
         "thread caused non-unwinding panic. aborting.\n");
  ASSERT_TRUE(run_until(
      io, [&] { return log.count(console_event_kind::panic) == 1; }, 5s));
  EXPECT_EQ(log.count(console_event_kind::load_monitor), 1u);
  EXPECT_EQ(test::metric(registry, "meshwatch_console_panics_total", "kind", "mesh"), 1);
  EXPECT_GT(test::metric(registry, "meshwatch_console_last_panic_timestamp_seconds"), 0);
  // Nothing more arrives later (no second event from the quiet timer).
  EXPECT_FALSE(run_until(
      io, [&] { return log.count(console_event_kind::panic) > 1; }, 200ms));
}

}  // namespace
}  // namespace meshwatch

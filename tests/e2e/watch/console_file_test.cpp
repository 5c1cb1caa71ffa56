// A console file followed by `meshwatch run` like `tail -F` (DESIGN.md §7): rotation by rename
// and create, copytruncate, delete and recreate, a file that appears only later, a 1 MiB line and
// binary bytes. The test writes the file itself, as Mesher's service would; after each change a
// panic block must still be exactly one panic event and heartbeat lines must still be classified.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "tests/e2e/watch/watch_assertions.hpp"
#include "tests/e2e/watch/watch_test_harness.hpp"
#include "tests/support/http_client.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto event_timeout = 10s;
const std::map<std::string, std::string> target{{"target", "mesher"}};

// An aborting Mesh panic as Rust prints it (RUNTIME.md §5.5): two headers, a backtrace, the abort line.
const std::string panic_block =
    "thread '<unnamed>' panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
    "Mesh panic at src/ingestion/routes.mpl:41: non-exhaustive match in switch\n"
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
    "\n"
    "thread '<unnamed>' panicked at library/core/src/panicking.rs:225:5:\n"
    "panic in a function that cannot unwind\n"
    "stack backtrace:\n"
    "   0:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::libunwind::trace\n"
    "   1:     0x5581a1e4d0a1 - mesh_panic\n"
    "thread caused non-unwinding panic. aborting.\n";
const std::string load_line = "[Mesher] Load monitor: 3 events/5s, 0 peers\n";
const std::string health_line = "[Mesher] Health check: all services responsive\n";

/** Appends with O_APPEND, as a service's `append:` output does; creates the file if needed. */
void append(const std::filesystem::path& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ASSERT_GT(n, 0);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

watch_setup file_setup() {
  watch_setup s;
  s.no_process = true;
  s.console = "{ file: '@DIR@/console.log' }";
  return s;
}

class console_file : public ::testing::Test {
 protected:
  void start_meshwatch() {
    std::string why;
    ASSERT_TRUE(mw_.start(why)) << why << "\n" << mw_.console();
  }

  /** Starts meshwatch on an existing file and waits until it follows it (from its end). */
  void start_following() {
    if (!std::filesystem::exists(file())) {
      append(file(), "");
    }
    start_meshwatch();
    ASSERT_TRUE(mw_.meshwatch().wait_for_line(stream::err, "console.log opened", 10s)) << mw_.console();
  }

  std::filesystem::path file() const { return mw_.dir() / "console.log"; }

  double count(const std::string& name, const std::map<std::string, std::string>& labels) {
    return metric_sum(mw_.scrape(), name, labels);
  }
  double panics() { return count("meshwatch_console_panics_total", target); }
  double events(const std::string& kind) {
    return count("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", kind}});
  }

  /** Waits until `name`'s sum reaches `want`, then checks it stays there (no second event). */
  void expect_settles_at(const std::string& name, const std::map<std::string, std::string>& labels,
                         double want) {
    auto deadline = std::chrono::steady_clock::now() + event_timeout;
    while (count(name, labels) < want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(500ms);  // a second event would have come by now
    auto m = mw_.scrape();
    EXPECT_EQ(metric_sum(m, name, labels), want) << name << "\n" << m << "\n" << mw_.console();
  }

  void expect_one_more_panic(double before) {
    expect_settles_at("meshwatch_console_panics_total", target, before + 1);
    EXPECT_EQ(events("panic"), before + 1);
    EXPECT_TRUE(equals(metric_value(mw_.scrape(), "meshwatch_console_panics_total",
                                    {{"target", "mesher"}, {"kind", "mesh"}}),
                       before + 1));
  }

  watched_twin mw_{file_setup()};
};

TEST_F(console_file, a_file_created_after_the_start_is_read_from_its_beginning) {
  start_meshwatch();
  ASSERT_FALSE(std::filesystem::exists(file()));
  // The follower looks for the file as soon as the loop runs, right after the admin line.
  std::this_thread::sleep_for(1s);
  append(file(), load_line + panic_block);
  expect_one_more_panic(0);
  EXPECT_EQ(events("load_monitor"), 1);
  EXPECT_EQ(count("meshwatch_console_rotations_total", target), 0);
}

TEST_F(console_file, rotation_by_rename_and_create_keeps_classifying) {
  // What was there before meshwatch started is history (tail starts at the end).
  append(file(), panic_block + load_line);
  start_following();
  append(file(), load_line);
  expect_settles_at("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "load_monitor"}}, 1);
  EXPECT_EQ(panics(), 0);

  // logrotate without copytruncate: rename, the writer finishes a line in the old file, then the
  // new file is created and the writer reopens.
  auto rotated = mw_.dir() / "console.log.1";
  std::filesystem::rename(file(), rotated);
  append(rotated, health_line);
  append(file(), panic_block + load_line);
  expect_one_more_panic(0);
  expect_settles_at("meshwatch_console_rotations_total", target, 1);
  EXPECT_EQ(events("health_check"), 1);
  EXPECT_EQ(events("load_monitor"), 2);
}

TEST_F(console_file, copytruncate_restarts_at_the_beginning) {
  start_following();
  std::string history;
  for (int i = 0; i < 200; ++i) {
    history += load_line;
  }
  append(file(), history);
  expect_settles_at("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "load_monitor"}}, 200);

  std::filesystem::copy_file(file(), mw_.dir() / "console.log.1");
  ::truncate(file().c_str(), 0);
  append(file(), panic_block);  // far shorter than what was read before
  expect_one_more_panic(0);
  expect_settles_at("meshwatch_console_rotations_total", target, 1);
  append(file(), health_line);
  expect_settles_at("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "health_check"}}, 1);
}

TEST_F(console_file, deletion_and_recreation_is_followed) {
  append(file(), load_line);
  start_following();
  std::filesystem::remove(file());
  std::this_thread::sleep_for(1500ms);  // longer than the poll interval: the deletion is seen alone
  EXPECT_EQ(count("meshwatch_console_rotations_total", target), 0);
  append(file(), panic_block + health_line);
  expect_one_more_panic(0);
  expect_settles_at("meshwatch_console_rotations_total", target, 1);
  EXPECT_EQ(events("health_check"), 1);
}

TEST_F(console_file, a_one_mib_line_is_truncated_counted_and_harmless) {
  start_following();
  append(file(), load_line);
  expect_settles_at("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "load_monitor"}}, 1);
  const double lines_before = count("meshwatch_console_lines_total", target);
  append(file(), std::string(1 << 20, 'x') + "\n" + panic_block + load_line);
  expect_one_more_panic(0);
  expect_settles_at("meshwatch_console_lines_truncated_total", target, 1);
  expect_settles_at("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "load_monitor"}}, 2);
  // The long line is one line; the block's lines and the heartbeat follow it.
  auto block_lines = static_cast<double>(std::count(panic_block.begin(), panic_block.end(), '\n'));
  EXPECT_EQ(count("meshwatch_console_lines_total", target), lines_before + 1 + block_lines + 1);
}

TEST_F(console_file, binary_bytes_are_tolerated) {
  start_following();
  std::string noise;
  std::mt19937 random(42);
  for (int i = 0; i < 64 * 1024; ++i) {
    noise.push_back(static_cast<char>(random() & 0xff));
  }
  noise += std::string("\0\xff\xfe\x1b[31m\r", 8) + "\n";
  append(file(), noise + panic_block + load_line);
  expect_one_more_panic(0);
  expect_settles_at("meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "load_monitor"}}, 1);
  // Still healthy and still exposing valid text.
  auto health = http_get("127.0.0.1", mw_.admin_port(), "/healthz", 3s);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto doc = parse_json(mw_.status());
  EXPECT_FALSE(doc.HasParseError()) << mw_.status();
}

// A user pattern from console.patterns counts under its own name as the `kind`, a series that
// exists from the start; the built-in classification of the same file goes on beside it.
TEST(console_file_patterns, a_user_pattern_line_is_counted_under_its_name) {
  watch_setup setup = file_setup();
  setup.console =
      "{ file: '@DIR@/console.log', patterns: [ { name: payment_timeout, "
      "regex: 'payment gateway timed out after \\d+ ms', severity: error } ] }";
  watched_twin mw{setup};
  const auto file = mw.dir() / "console.log";
  append(file, "");
  std::string why;
  ASSERT_TRUE(mw.start(why)) << why << "\n" << mw.console();
  ASSERT_TRUE(mw.meshwatch().wait_for_line(stream::err, "console.log opened", 10s)) << mw.console();
  const std::map<std::string, std::string> kind{{"target", "mesher"}, {"kind", "payment_timeout"}};
  auto m = mw.scrape();
  EXPECT_TRUE(equals(metric_value(m, "meshwatch_console_events_total", kind), 0)) << m;
  EXPECT_FALSE(
      metric_value(m, "meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "user_match"}}))
      << m;

  append(file, "[Mesher] charge 42: payment gateway timed out after 5000 ms\n" + load_line +
                   "payment gateway timed out after a while\n");  // no number: no match
  auto deadline = std::chrono::steady_clock::now() + event_timeout;
  while (metric_sum(mw.scrape(), "meshwatch_console_events_total", kind) < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(500ms);  // the non-matching line would have been counted by now
  m = mw.scrape();
  EXPECT_TRUE(equals(metric_value(m, "meshwatch_console_events_total", kind), 1)) << m << "\n"
                                                                                  << mw.console();
  EXPECT_TRUE(equals(
      metric_value(m, "meshwatch_console_events_total", {{"target", "mesher"}, {"kind", "load_monitor"}}), 1))
      << m;
}

}  // namespace
}  // namespace meshwatch::test

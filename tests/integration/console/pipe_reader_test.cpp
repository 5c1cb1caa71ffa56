// A real child's pipes: a panic block then SIGABRT is one event within 100 ms of its last line;
// a child writing far faster than we consume is never blocked.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "daemon/console/console_watcher.hpp"
#include "daemon/console/pipe_reader.hpp"
#include "tests/integration/console/watcher_test_util.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using test::run_until;

// The twin's block (tests/twin/faults.cpp) as a shell script: stdout keeps printing meanwhile.
const char* const panic_then_abort = R"(
echo '[Mesher] Foundation ready'
echo '[mesh-rt] HTTP server listening on 0.0.0.0:8080' >&2
printf '\nthread '"'"'<unnamed>'"'"' (4242) panicked at crates/mesh-rt/src/panic.rs:33:9:\n' >&2
echo 'Mesh panic at <unknown>:0: non-exhaustive match in switch' >&2
echo '[Mesher] Load monitor: 0 events/5s, 0 peers'
echo 'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace' >&2
printf '\nthread '"'"'<unnamed>'"'"' (4242) panicked at /rustc/254b/library/core/src/panicking.rs:225:5:\n' >&2
echo 'panic in a function that cannot unwind' >&2
echo 'stack backtrace:' >&2
echo '   0:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::libunwind::trace' >&2
echo '   5:     0x5581a1e4d0a1 - mesh_panic' >&2
echo 'thread caused non-unwinding panic. aborting.' >&2
kill -ABRT $$
)";

class pipes : public ::testing::Test {
 protected:
  void start(test::piped_child& child) {
    watcher = std::make_unique<console_watcher>(io, registry, test::mesher_options(), std::ref(log));
    watcher->attach_pipes(child.out_fd, child.err_fd);
  }
  boost::asio::io_context io;
  prometheus::Registry registry;
  test::event_log log;
  std::unique_ptr<console_watcher> watcher;
};

TEST_F(pipes, panic_block_then_sigabrt_is_exactly_one_event_within_100ms) {
  test::piped_child child({"/bin/sh", "-c", panic_then_abort});
  start(child);
  ASSERT_TRUE(run_until(
      io, [&] { return child.exited() && log.count(console_event_kind::panic) == 1; }, 10s));
  ASSERT_TRUE(WIFSIGNALED(child.wait_status));
  EXPECT_EQ(WTERMSIG(child.wait_status), SIGABRT);
  // Let everything that is still queued run: no second panic event may follow.
  EXPECT_FALSE(run_until(
      io, [&] { return log.count(console_event_kind::panic) > 1; }, 300ms));

  std::size_t i = 0;
  while (log.events[i].kind != console_event_kind::panic) {
    ++i;
  }
  const auto& e = log.events[i];
  ASSERT_TRUE(e.panic);
  EXPECT_EQ(e.stream, console_stream::err);
  EXPECT_EQ(e.panic->thread, "<unnamed>");
  EXPECT_EQ(e.panic->os_tid, 4242);
  EXPECT_EQ(e.panic->location, "crates/mesh-rt/src/panic.rs:33:9");
  EXPECT_EQ(e.panic->message, "Mesh panic at <unknown>:0: non-exhaustive match in switch");
  EXPECT_TRUE(e.panic->aborted);
  // e.time is the receipt of the block's last line; the event was delivered at seen_at.
  EXPECT_LE(log.seen_at[i] - e.time.mono, 100ms);
  EXPECT_EQ(log.count(console_event_kind::http_listening), 1u);
  EXPECT_EQ(log.count(console_event_kind::foundation_ready), 1u);
  EXPECT_EQ(log.count(console_event_kind::load_monitor), 1u);  // stdout line during the block
  EXPECT_EQ(test::metric(registry, "meshwatch_console_panics_total", "kind", "mesh"), 1);
  EXPECT_EQ(test::metric(registry, "meshwatch_console_events_total", "kind", "panic"), 1);
}

TEST_F(pipes, open_block_of_a_live_process_ends_by_quiet_time_within_100ms) {
  // A caught-style block whose process lives on: nothing marks its end but silence.
  test::piped_child child({"/bin/sh", "-c",
                           "printf '\\nthread '\"'\"'<unnamed>'\"'\"' (7) panicked at src/x.rs:1:2:\\n"
                           "capacity overflow\\n' >&2; exec sleep 30"});
  start(child);
  ASSERT_TRUE(run_until(
      io, [&] { return log.count(console_event_kind::panic) == 1; }, 5s));
  EXPECT_FALSE(child.exited());
  const auto& e = log.events.back();
  EXPECT_EQ(e.panic->message, "capacity overflow");
  EXPECT_FALSE(e.panic->complete);
  EXPECT_LE(log.seen_at.back() - e.time.mono, 100ms);
  EXPECT_GE(log.seen_at.back() - e.time.mono, panic_assembler::default_quiet - 1ms);
}

TEST_F(pipes, streams_stay_apart) {
  test::piped_child child({"/bin/sh", "-c",
                           "echo '[mesh-rt] HTTP server listening on 0.0.0.0:8080'; "
                           "echo '[Mesher] Foundation ready' >&2; "
                           "echo '[Mesher] Partition error'"});
  start(child);
  auto lines = [&](const char* stream) {
    return test::metric(registry, "meshwatch_console_lines_total", "stream", stream);
  };
  ASSERT_TRUE(run_until(
      io, [&] { return lines("stdout") == 2 && lines("stderr") == 1; }, 5s));
  EXPECT_EQ(log.count(console_event_kind::partition_error), 1u);
  // The readiness text on stdout and a Mesher text on stderr are not what Mesher prints.
  EXPECT_EQ(log.count(console_event_kind::http_listening), 0u);
  EXPECT_EQ(log.count(console_event_kind::foundation_ready), 0u);
}

TEST_F(pipes, heartbeat_lines_reset_their_age) {
  test::piped_child child({"/bin/sh", "-c", "echo '[Mesher] Health check: all services responsive'"});
  start(child);
  ASSERT_TRUE(run_until(
      io, [&] { return log.count(console_event_kind::health_check) == 1; }, 5s));
  EXPECT_TRUE(watcher->heartbeats().last_seen(heartbeat::health_check));
  EXPECT_FALSE(watcher->heartbeats().last_seen(heartbeat::load_monitor));
  EXPECT_EQ(test::metric(registry, "meshwatch_heartbeat_age_seconds", "heartbeat", "health_check"), 0);
}

TEST(pipe_reader, fast_writer_is_never_blocked_by_a_slow_consumer) {
  boost::asio::io_context io;
  constexpr std::size_t total = 32 * 1024 * 1024;
  test::piped_child child({"/usr/bin/head", "-c", std::to_string(total), "/dev/zero"});
  std::size_t processed = 0;
  std::size_t gaps = 0;
  bool eof = false;
  pipe_reader_options o;
  o.max_bytes_per_call = 4096;
  // ~4 MB/s downstream, several times slower than the writer.
  auto slow = [&](std::string_view bytes) {
    processed += bytes.size();
    auto until = std::chrono::steady_clock::now() + 1ms;
    while (std::chrono::steady_clock::now() < until) {
    }
  };
  pipe_reader reader(
      io, child.out_fd, o, slow, [&](std::size_t n) { gaps += n; }, [&] { eof = true; });
  ::close(child.err_fd);
  reader.start();
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(
      io, [&] { return child.exited(); }, 20s));
  auto writer_time = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(run_until(
      io, [&] { return eof; }, 20s));
  EXPECT_EQ(reader.bytes_read(), total);
  EXPECT_GT(reader.bytes_dropped(), 0u);
  EXPECT_EQ(processed + reader.bytes_dropped(), total);
  EXPECT_EQ(gaps, reader.bytes_dropped());
  // At 4 MB/s the consumer alone would need 8 s for 32 MiB.
  EXPECT_LT(writer_time, 4s);
  EXPECT_EQ(reader.backlog_bytes(), 0u);
}

}  // namespace
}  // namespace meshwatch

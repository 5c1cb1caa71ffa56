// exec selector: meshwatch's own child, exact status from waitid.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "tests/integration/process/watcher_harness.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

constexpr auto exit_deadline = 100ms;  // the bound: exit seen within 100 ms of death

process_watcher_options exec_options(std::vector<std::string> argv) {
  return watcher_harness::fast_options(process_exec{std::move(argv)});
}

struct shell_case {
  const char* script;
  exit_classification expected;
  const char* code;
  const char* signal;
};

class child_self_exit : public ::testing::TestWithParam<shell_case> {};

TEST_P(child_self_exit, is_classified_exactly) {
  const auto& c = GetParam();
  watcher_harness h;
  h.start(exec_options({"/bin/sh", "-c", c.script}));
  auto started = h.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started) << h.event_summary();
  auto exited = h.wait_for(process_event_kind::exited, 5s);
  ASSERT_TRUE(exited) << h.event_summary();
  ASSERT_TRUE(exited->exit);
  EXPECT_EQ(exited->process, started->process);
  EXPECT_EQ(exited->exit->classification, c.expected) << to_string(exited->exit->classification);
  EXPECT_EQ(exit_code_label(exited->exit->status), c.code);
  EXPECT_EQ(exit_signal_label(exited->exit->status), c.signal);
  EXPECT_TRUE(exited->exit->startup_regression);  // it died within a second of starting
  EXPECT_EQ(
      h.metric("meshwatch_target_exits_total", {{"target", "t"}, {"code", c.code}, {"signal", c.signal}}),
      1.0);
  EXPECT_EQ(h.metric("meshwatch_target_up", {{"target", "t"}}), 0.0);
}

INSTANTIATE_TEST_SUITE_P(
    d1, child_self_exit,
    ::testing::Values(shell_case{"kill -SEGV $$", exit_classification::native_crash, "", "SIGSEGV"},
                      shell_case{"kill -ABRT $$", exit_classification::panic_abort, "", "SIGABRT"},
                      shell_case{"kill -KILL $$", exit_classification::killed, "", "SIGKILL"},
                      shell_case{"kill -PIPE $$", exit_classification::pipe_closed, "", "SIGPIPE"},
                      shell_case{"exit 0", exit_classification::db_at_start_failure, "0", ""},
                      shell_case{"exit 3", exit_classification::error_exit, "3", ""}));

struct signal_case {
  int signal;
  exit_classification expected;
};

class child_killed : public ::testing::TestWithParam<signal_case> {};

TEST_P(child_killed, exit_is_seen_within_100ms_and_classified) {
  temp_dir dir;
  watcher_harness h;
  h.start(exec_options({helper_path(), "run", dir.path("ready")}));
  auto started = h.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started) << h.event_summary();
  auto pid = wait_for_pid_file(dir.path("ready"), 5s);
  ASSERT_EQ(pid, started->process.pid);

  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(*pid, GetParam().signal), 0);
  auto exited = h.wait_for(process_event_kind::exited, 5s);
  ASSERT_TRUE(exited) << h.event_summary();
  auto latency = exited->at - killed_at;
  EXPECT_LT(latency, exit_deadline) << std::chrono::duration<double, std::milli>(latency).count() << " ms";
  ASSERT_TRUE(exited->exit);
  EXPECT_EQ(exited->exit->status, exit_status::killed_by(GetParam().signal))
      << exit_signal_label(exited->exit->status);
  EXPECT_EQ(exited->exit->classification, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(d1, child_killed,
                         ::testing::Values(signal_case{SIGSEGV, exit_classification::native_crash},
                                           signal_case{SIGABRT, exit_classification::panic_abort},
                                           signal_case{SIGKILL, exit_classification::killed},
                                           signal_case{SIGTERM, exit_classification::external_stop}));

TEST(child_process_watch, clean_exit_0_after_signal_is_seen_fast) {
  temp_dir dir;
  watcher_harness h;
  h.start(exec_options({helper_path(), "run", dir.path("ready")}));
  ASSERT_TRUE(h.wait_for(process_event_kind::started, 5s));
  auto pid = wait_for_pid_file(dir.path("ready"), 5s);
  ASSERT_TRUE(pid);
  auto at = std::chrono::steady_clock::now();
  ::kill(*pid, SIGHUP);  // the helper exits 0 on SIGHUP
  auto exited = h.wait_for(process_event_kind::exited, 5s);
  ASSERT_TRUE(exited);
  EXPECT_LT(exited->at - at, exit_deadline);
  EXPECT_EQ(exited->exit->status, exit_status::exited_with(0));
  EXPECT_EQ(exited->exit->classification, exit_classification::db_at_start_failure);
}

TEST(child_process_watch, hands_over_console_pipes) {
  int out_fd = -1;
  int err_fd = -1;
  auto options = exec_options({"/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 7"});
  options.on_child_output = [&](int out, int err) {
    out_fd = out;
    err_fd = err;
  };
  watcher_harness h;
  h.start(std::move(options));
  auto exited = h.wait_for(process_event_kind::exited, 5s);
  ASSERT_TRUE(exited) << h.event_summary();
  EXPECT_EQ(exited->exit->status, exit_status::exited_with(7));
  ASSERT_GE(out_fd, 0);
  ASSERT_GE(err_fd, 0);
  auto read_all = [](int fd) {
    std::string text;
    char buffer[256];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 2000) == 1) {
      auto n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) {
        break;
      }
      text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
  };
  EXPECT_EQ(read_all(out_fd), "to-stdout\n");
  EXPECT_EQ(read_all(err_fd), "to-stderr\n");
}

TEST(child_process_watch, unexecutable_program_never_counts_as_started) {
  watcher_harness h;
  h.start(exec_options({"/nonexistent/mesher"}));
  EXPECT_FALSE(h.any_within(process_event_kind::started, 300ms)) << h.event_summary();
  EXPECT_EQ(h.metric("meshwatch_target_up", {{"target", "t"}}), 0.0);
}

TEST(child_process_watch, stop_terminates_the_child) {
  temp_dir dir;
  auto h = std::make_unique<watcher_harness>();
  h->start(exec_options({helper_path(), "run", dir.path("ready")}));
  auto started = h->wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started);
  ASSERT_TRUE(wait_for_pid_file(dir.path("ready"), 5s));
  auto id = started->process;
  h.reset();
  EXPECT_FALSE(identity_alive(id));
}

}  // namespace
}  // namespace meshwatch::test

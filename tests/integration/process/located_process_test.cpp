// pidfile and match selectors: processes that are not the watcher's children. Exits are
// seen through the pidfd and classified through the proc connector (root on the host).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/integration/process/watcher_harness.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;
// Not the subprocess helper's struct of the same name.
using exit_status = ::meshwatch::exit_status;

constexpr auto exit_deadline = 100ms;

/** Starts a helper that double-forks; returns the daemon's PID once it wrote the pidfile. */
std::optional<pid_t> start_daemon(const std::string& pidfile) {
  std::filesystem::remove(pidfile);
  subprocess launcher({helper_path(), "daemon", pidfile});
  auto status = launcher.wait_exit(5s);
  if (!status || status->code != 0) {
    return std::nullopt;
  }
  return wait_for_pid_file(pidfile, 5s);
}

bool is_our_child(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

class located : public ::testing::Test {
 protected:
  process_watcher_options pidfile_options() {
    return watcher_harness::fast_options(process_pidfile{dir_.path("mesher.pid")});
  }
  std::string pidfile() { return dir_.path("mesher.pid"); }

  temp_dir dir_;
  watcher_harness h_;
};

struct non_child_case {
  int signal;  // 0: SIGHUP, which makes the helper exit 0
  exit_status expected;
};

class non_child_exit : public located, public ::testing::WithParamInterface<non_child_case> {};

TEST_P(non_child_exit, seen_via_pidfd_and_classified_via_proc_connector) {
  auto pid = start_daemon(pidfile());
  ASSERT_TRUE(pid);
  kill_on_exit guard(*pid);
  ASSERT_FALSE(is_our_child(*pid)) << "the helper must not be this test's child";

  h_.start(pidfile_options());
  auto started = h_.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started) << h_.event_summary();
  EXPECT_EQ(started->process.pid, *pid);
  EXPECT_EQ(h_.metric("meshwatch_target_up", {{"target", "t"}}), 1.0);

  auto at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(*pid, GetParam().signal == 0 ? SIGHUP : GetParam().signal), 0);
  auto exited = h_.wait_for(process_event_kind::exited, 5s);
  ASSERT_TRUE(exited) << h_.event_summary();
  auto latency = exited->at - at;
  EXPECT_LT(latency, exit_deadline) << std::chrono::duration<double, std::milli>(latency).count() << " ms";
  EXPECT_EQ(h_.metric("meshwatch_target_up", {{"target", "t"}}), 0.0);
  if (!h_.watcher().exit_status_available()) {
    EXPECT_EQ(exited->exit->classification, exit_classification::unknown);
    GTEST_SKIP() << "the kernel proc connector refused us (needs root in the initial namespaces); "
                    "the exit was seen but could only be classified 'unknown'";
  }
  EXPECT_EQ(exited->exit->status, GetParam().expected)
      << "code '" << exit_code_label(exited->exit->status) << "' signal '"
      << exit_signal_label(exited->exit->status) << "'";
}

INSTANTIATE_TEST_SUITE_P(d1, non_child_exit,
                         ::testing::Values(non_child_case{SIGSEGV, exit_status::killed_by(SIGSEGV)},
                                           non_child_case{SIGABRT, exit_status::killed_by(SIGABRT)},
                                           non_child_case{SIGKILL, exit_status::killed_by(SIGKILL)},
                                           non_child_case{0, exit_status::exited_with(0)}));

TEST_F(located, waits_for_the_pidfile_to_appear) {
  h_.start(pidfile_options());
  EXPECT_FALSE(h_.any_within(process_event_kind::started, 100ms));
  auto pid = start_daemon(pidfile());
  ASSERT_TRUE(pid);
  kill_on_exit guard(*pid);
  auto started = h_.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started) << h_.event_summary();
  EXPECT_EQ(started->process.pid, *pid);
  ASSERT_TRUE(started->environment);
  EXPECT_EQ(started->environment->binary_path, helper_path());
  EXPECT_FALSE(h_.any_within(process_event_kind::restarted, 50ms)) << "the first process is no restart";
}

TEST_F(located, pidfile_restart_is_a_restart_event) {
  auto first = start_daemon(pidfile());
  ASSERT_TRUE(first);
  kill_on_exit guard1(*first);
  h_.start(pidfile_options());
  ASSERT_TRUE(h_.wait_for(process_event_kind::started, 5s));

  ::kill(*first, SIGKILL);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s)) << h_.event_summary();
  auto second = start_daemon(pidfile());
  ASSERT_TRUE(second);
  kill_on_exit guard2(*second);
  auto started = h_.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started) << h_.event_summary();
  EXPECT_EQ(started->process.pid, *second);
  auto restarted = h_.wait_for(process_event_kind::restarted, 1s);
  ASSERT_TRUE(restarted) << h_.event_summary();
  EXPECT_EQ(restarted->process.pid, *second);
  EXPECT_EQ(h_.metric("meshwatch_target_restarts_total", {{"target", "t"}}), 1.0);
  EXPECT_EQ(h_.metric("meshwatch_target_up", {{"target", "t"}}), 1.0);
}

TEST_F(located, quick_restarts_are_a_crash_loop_that_ends) {
  auto options = pidfile_options();
  options.config.crash_loop_restarts = 2;
  options.config.crash_loop_window = 3s;
  auto pid = start_daemon(pidfile());
  ASSERT_TRUE(pid);
  std::vector<std::unique_ptr<kill_on_exit>> guards;
  guards.push_back(std::make_unique<kill_on_exit>(*pid));
  h_.start(options);
  ASSERT_TRUE(h_.wait_for(process_event_kind::started, 5s));
  for (int restart = 1; restart <= 2; ++restart) {
    ::kill(*pid, SIGSEGV);
    ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s)) << h_.event_summary();
    EXPECT_EQ(h_.metric("meshwatch_target_crash_looping", {{"target", "t"}}), 0.0);
    pid = start_daemon(pidfile());
    ASSERT_TRUE(pid);
    guards.push_back(std::make_unique<kill_on_exit>(*pid));
    ASSERT_TRUE(h_.wait_for(process_event_kind::restarted, 5s)) << h_.event_summary();
  }
  auto loop = h_.wait_for(process_event_kind::crash_loop_started, 1s);
  ASSERT_TRUE(loop) << h_.event_summary();
  EXPECT_EQ(loop->restarts_total, 2u);
  EXPECT_EQ(h_.metric("meshwatch_target_crash_looping", {{"target", "t"}}), 1.0);
  // No more restarts: once they age out of the window the loop is over.
  ASSERT_TRUE(h_.wait_for(process_event_kind::crash_loop_ended, 6s)) << h_.event_summary();
  EXPECT_EQ(h_.metric("meshwatch_target_crash_looping", {{"target", "t"}}), 0.0);
}

TEST_F(located, match_selector_finds_a_unique_command_line) {
  std::random_device rd;
  std::string token = "meshwatch-match-" + std::to_string(getpid()) + "-" + std::to_string(rd());
  subprocess target({helper_path(), "run", dir_.path("ready"), token});
  auto pid = wait_for_pid_file(dir_.path("ready"), 5s);
  ASSERT_TRUE(pid);
  h_.start(watcher_harness::fast_options(process_match{"process_test_helper run .* " + token + "$"}));
  auto started = h_.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started) << h_.event_summary();
  EXPECT_EQ(started->process.pid, *pid);
  target.send_signal(SIGTERM);
  auto exited = h_.wait_for(process_event_kind::exited, 5s);
  ASSERT_TRUE(exited) << h_.event_summary();
  EXPECT_EQ(exited->process.pid, *pid);
}

/** Forks a helper that gets exactly `wanted` as its PID (root: /proc/sys/kernel/ns_last_pid). */
std::optional<pid_t> spawn_with_pid(pid_t wanted, const std::string& ready_file) {
  auto helper = helper_path();
  for (int attempt = 0; attempt < 50; ++attempt) {
    {
      std::ofstream last("/proc/sys/kernel/ns_last_pid");
      if (!last) {
        return std::nullopt;
      }
      last << (wanted - 1);
      last.flush();
      if (!last) {
        return std::nullopt;
      }
    }
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execl(helper.c_str(), helper.c_str(), "run", ready_file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid == wanted) {
      return pid;
    }
    // Someone else on the host took the PID first: try again.
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  return std::nullopt;
}

TEST_F(located, reused_pid_is_not_taken_for_a_restart) {
  auto first = start_daemon(pidfile());
  ASSERT_TRUE(first);
  kill_on_exit guard(*first);
  h_.start(pidfile_options());
  auto started = h_.wait_for(process_event_kind::started, 5s);
  ASSERT_TRUE(started);
  ::kill(*first, SIGKILL);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s));
  // The daemon is reaped by init (or a subreaper); only then is its PID free again.
  if (!h_.run_until([&] { return !read_process_identity(*first); }, 5s)) {
    GTEST_SKIP() << "PID " << *first << " stays a zombie: nothing reaps orphans here, so it cannot be reused";
  }

  // An unrelated process takes the PID; the pidfile (never rewritten) still names it.
  auto impostor = spawn_with_pid(*first, dir_.path("impostor-ready"));
  if (!impostor) {
    GTEST_SKIP() << "could not force PID reuse (needs root to write /proc/sys/kernel/ns_last_pid)";
  }
  struct reap {
    pid_t pid;
    ~reap() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{*impostor};
  ASSERT_TRUE(wait_for_pid_file(dir_.path("impostor-ready"), 5s));
  EXPECT_FALSE(h_.any_within(process_event_kind::started, 500ms)) << h_.event_summary();
  EXPECT_EQ(h_.metric("meshwatch_target_up", {{"target", "t"}}), 0.0);
  EXPECT_EQ(h_.metric("meshwatch_target_restarts_total", {{"target", "t"}}), 0.0);
  EXPECT_FALSE(h_.watcher().current());
}

TEST_F(located, the_gap_between_exit_and_restart_is_in_the_start_grace) {
  auto options = pidfile_options();
  options.config.start_grace = 5s;
  auto first = start_daemon(pidfile());
  ASSERT_TRUE(first);
  kill_on_exit guard1(*first);
  h_.start(std::move(options));
  ASSERT_TRUE(h_.wait_for(process_event_kind::started, 5s));
  h_.watcher().note_listening_line();
  h_.watcher().note_fast_path_probe(true);
  ASSERT_EQ(h_.watcher().readiness_state(), readiness::ready);
  EXPECT_FALSE(h_.watcher().in_start_grace());

  ::kill(*first, SIGTERM);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s)) << h_.event_summary();
  // Mesher is being restarted: probes failing now fail because of the restart.
  EXPECT_EQ(h_.watcher().readiness_state(), readiness::down);
  EXPECT_TRUE(h_.watcher().in_start_grace());

  auto second = start_daemon(pidfile());
  ASSERT_TRUE(second);
  kill_on_exit guard2(*second);
  ASSERT_TRUE(h_.wait_for(process_event_kind::restarted, 5s)) << h_.event_summary();
  EXPECT_EQ(h_.watcher().readiness_state(), readiness::starting);
  EXPECT_TRUE(h_.watcher().in_start_grace());
  h_.watcher().note_listening_line();
  h_.watcher().note_fast_path_probe(true);
  EXPECT_FALSE(h_.watcher().in_start_grace());
}

TEST_F(located, a_process_never_restarted_counts_again_after_the_grace) {
  auto options = pidfile_options();
  options.config.start_grace = 300ms;
  auto pid = start_daemon(pidfile());
  ASSERT_TRUE(pid);
  kill_on_exit guard(*pid);
  h_.start(std::move(options));
  ASSERT_TRUE(h_.wait_for(process_event_kind::started, 5s));
  ::kill(*pid, SIGKILL);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s)) << h_.event_summary();
  EXPECT_TRUE(h_.watcher().in_start_grace());
  EXPECT_TRUE(h_.run_until([&] { return !h_.watcher().in_start_grace(); }, 2s));
}

}  // namespace
}  // namespace meshwatch::test

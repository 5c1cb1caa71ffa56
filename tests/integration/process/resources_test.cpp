// /proc sampling (RSS, fds, threads, CPU), readiness gating and the start snapshot, on a
// helper that grows memory and fds when signalled.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <thread>

#include "tests/integration/process/watcher_harness.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

class resources : public ::testing::Test {
 protected:
  void start_helper(process_watcher_options options) {
    h_.start(std::move(options));
    started_ = h_.wait_for(process_event_kind::started, 5s);
    ASSERT_TRUE(started_) << h_.event_summary();
    auto pid = wait_for_pid_file(dir_.path("ready"), 5s);
    ASSERT_EQ(pid, started_->process.pid);
  }
  process_watcher_options helper_options() {
    return watcher_harness::fast_options(process_exec{{helper_path(), "run", dir_.path("ready")}});
  }
  double gauge(const char* name) { return h_.metric(name, {{"target", "t"}}).value_or(-1); }

  temp_dir dir_;
  watcher_harness h_;
  std::optional<process_event> started_;
};

TEST_F(resources, rss_growth_is_visible) {
  start_helper(helper_options());
  ASSERT_TRUE(h_.run_until([&] { return gauge("meshwatch_target_resident_memory_bytes") > 0; }, 5s));
  double before = gauge("meshwatch_target_resident_memory_bytes");
  constexpr double step = 64.0 * 1024 * 1024;
  // One signal at a time: a second SIGUSR1 sent while the first is pending would merge.
  for (int i = 1; i <= 2; ++i) {
    ::kill(started_->process.pid, SIGUSR1);  // +64 MiB, touched
    bool grew = h_.run_until(
        [&] { return gauge("meshwatch_target_resident_memory_bytes") >= before + i * step * 0.95; }, 10s);
    ASSERT_TRUE(grew) << "step " << i << ": before " << before << " now "
                      << gauge("meshwatch_target_resident_memory_bytes");
  }
}

TEST_F(resources, fd_growth_and_limit_are_visible) {
  start_helper(helper_options());
  ASSERT_TRUE(h_.run_until([&] { return gauge("meshwatch_target_open_fds") > 0; }, 5s));
  double before = gauge("meshwatch_target_open_fds");
  EXPECT_GT(gauge("meshwatch_target_max_fds"), before);
  EXPECT_GE(gauge("meshwatch_target_threads"), 1.0);
  ::kill(started_->process.pid, SIGUSR2);  // +100 fds
  bool grew = h_.run_until([&] { return gauge("meshwatch_target_open_fds") >= before + 100; }, 5s);
  EXPECT_TRUE(grew) << "before " << before << " now " << gauge("meshwatch_target_open_fds");
}

TEST_F(resources, cpu_counter_and_start_time) {
  start_helper(helper_options());
  ::kill(started_->process.pid, SIGUSR1);  // touching 64 MiB costs measurable CPU
  EXPECT_TRUE(h_.run_until([&] { return gauge("meshwatch_target_cpu_seconds_total") > 0; }, 5s));
  auto start = gauge("meshwatch_target_start_time_seconds");
  auto now = static_cast<double>(::time(nullptr));
  EXPECT_GT(start, now - 60);
  EXPECT_LE(start, now + 2);
}

TEST_F(resources, usage_reads_zero_once_the_process_is_gone) {
  start_helper(helper_options());
  ASSERT_TRUE(h_.run_until([&] { return gauge("meshwatch_target_threads") > 0; }, 5s));
  ::kill(started_->process.pid, SIGKILL);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s));
  EXPECT_EQ(gauge("meshwatch_target_threads"), 0.0);
  EXPECT_EQ(gauge("meshwatch_target_resident_memory_bytes"), 0.0);
}

TEST_F(resources, environment_snapshot_at_start) {
  ::setenv("MESHER_HTTP_PORT", "18080", 1);
  ::setenv("MESHER_COOKIE", "do-not-print", 1);
  start_helper(helper_options());
  ::unsetenv("MESHER_HTTP_PORT");
  ::unsetenv("MESHER_COOKIE");
  ASSERT_TRUE(started_->environment);
  const auto& env = *started_->environment;
  EXPECT_EQ(env.pid, started_->process.pid);
  EXPECT_EQ(env.binary_path, helper_path());
  EXPECT_GT(env.binary_size, 0);
  EXPECT_FALSE(env.binary_hash.empty());
  EXPECT_GE(env.affinity_cpus, 1);
  EXPECT_EQ(env.max_core_bytes, 0);  // the harness disables cores for its children
  EXPECT_GT(env.max_open_files, 0);
  auto find = [&](const std::string& name) -> std::string {
    for (const auto& [k, v] : env.mesher_env) {
      if (k == name) {
        return v;
      }
    }
    return "<absent>";
  };
  EXPECT_EQ(find("MESHER_HTTP_PORT"), "18080");
  EXPECT_EQ(find("MESHER_COOKIE"), "***");
}

TEST_F(resources, readiness_needs_line_and_probe_and_resets_on_exit) {
  start_helper(helper_options());
  EXPECT_EQ(h_.watcher().readiness_state(), readiness::starting);
  EXPECT_TRUE(h_.watcher().in_start_grace());
  EXPECT_EQ(gauge("meshwatch_target_ready"), 0.0);
  h_.watcher().note_fast_path_probe(false);
  h_.watcher().note_listening_line();
  EXPECT_EQ(h_.watcher().readiness_state(), readiness::starting);
  h_.watcher().note_fast_path_probe(true);
  auto ready = h_.wait_for(process_event_kind::ready, 1s);
  ASSERT_TRUE(ready) << h_.event_summary();
  EXPECT_EQ(ready->process, started_->process);
  EXPECT_EQ(gauge("meshwatch_target_ready"), 1.0);
  EXPECT_FALSE(h_.watcher().in_start_grace());

  ::kill(started_->process.pid, SIGSEGV);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s));
  auto not_ready = h_.wait_for(process_event_kind::not_ready, 1s);
  ASSERT_TRUE(not_ready) << h_.event_summary();
  EXPECT_EQ(not_ready->detail, "process exited");
  EXPECT_EQ(gauge("meshwatch_target_ready"), 0.0);
  EXPECT_EQ(h_.watcher().readiness_state(), readiness::down);
}

TEST_F(resources, a_process_running_before_watching_began_is_ready_on_the_probe_alone) {
  // Its listening line was printed before anyone watched (a console file is followed from its
  // end), so only the fast-path probe can prove readiness; waiting for the line would end in a
  // false readiness timeout.
  subprocess already_running({helper_path(), "run", dir_.path("ready")});
  auto pid = wait_for_pid_file(dir_.path("ready"), 5s);
  ASSERT_EQ(pid, already_running.pid());
  // The scenario itself, not synchronisation: the process must be measurably older than the
  // watch (start times have 10 ms ticks, and the watcher allows 50 ms of slack).
  std::this_thread::sleep_for(300ms);
  auto options = watcher_harness::fast_options(process_pidfile{dir_.path("ready")});
  options.config.start_grace = std::chrono::minutes(5);  // young process, long grace: not the "old" rule
  h_.start(std::move(options));
  ASSERT_TRUE(h_.wait_for(process_event_kind::started, 5s)) << h_.event_summary();
  EXPECT_EQ(h_.watcher().readiness_state(), readiness::starting);
  h_.watcher().note_fast_path_probe(true);
  ASSERT_TRUE(h_.wait_for(process_event_kind::ready, 1s)) << h_.event_summary();
  already_running.send_signal(SIGKILL);
  ASSERT_TRUE(h_.wait_for(process_event_kind::exited, 5s));
}

TEST_F(resources, readiness_timeout_after_the_grace) {
  auto options = helper_options();
  options.config.start_grace = 200ms;
  start_helper(std::move(options));
  h_.watcher().note_fast_path_probe(true);  // probe passes, but the listening line never comes (F-33)
  auto not_ready = h_.wait_for(process_event_kind::not_ready, 3s);
  ASSERT_TRUE(not_ready) << h_.event_summary();
  EXPECT_EQ(not_ready->detail, "readiness timeout");
  EXPECT_FALSE(h_.watcher().in_start_grace());
}

}  // namespace
}  // namespace meshwatch::test

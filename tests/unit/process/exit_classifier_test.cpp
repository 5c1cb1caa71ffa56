#include "daemon/process/exit_classifier.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

struct classification_case {
  exit_status status;
  exit_classification expected;
  const char* code_label;
  const char* signal_label;
};

class exit_classifier_table : public ::testing::TestWithParam<classification_case> {};

TEST_P(exit_classifier_table, classifies_and_labels) {
  const auto& c = GetParam();
  auto report = classify_exit(c.status, std::chrono::milliseconds(10min));
  EXPECT_EQ(report.classification, c.expected) << to_string(report.classification);
  EXPECT_EQ(exit_code_label(c.status), c.code_label);
  EXPECT_EQ(exit_signal_label(c.status), c.signal_label);
  EXPECT_FALSE(report.startup_regression);  // ten minutes up
}

// FAILURES.md D1 / RUNTIME.md §7, row by row.
INSTANTIATE_TEST_SUITE_P(
    d1, exit_classifier_table,
    ::testing::Values(
        classification_case{exit_status::exited_with(0), exit_classification::db_at_start_failure, "0", ""},
        classification_case{exit_status::exited_with(1), exit_classification::error_exit, "1", ""},
        classification_case{exit_status::killed_by(SIGABRT, true), exit_classification::panic_abort, "",
                            "SIGABRT"},
        classification_case{exit_status::killed_by(SIGSEGV), exit_classification::native_crash, "",
                            "SIGSEGV"},
        classification_case{exit_status::killed_by(SIGBUS), exit_classification::bus_error, "", "SIGBUS"},
        classification_case{exit_status::killed_by(SIGFPE), exit_classification::arithmetic_error, "",
                            "SIGFPE"},
        classification_case{exit_status::killed_by(SIGKILL), exit_classification::killed, "", "SIGKILL"},
        classification_case{exit_status::killed_by(SIGPIPE), exit_classification::pipe_closed, "", "SIGPIPE"},
        classification_case{exit_status::killed_by(SIGTERM), exit_classification::external_stop, "",
                            "SIGTERM"},
        classification_case{exit_status::killed_by(SIGINT), exit_classification::external_stop, "", "SIGINT"},
        classification_case{exit_status::killed_by(SIGUSR1), exit_classification::other_signal, "",
                            "SIGUSR1"},
        // A shell wrapper turns death by signal N into exit code 128+N: classified like N,
        // labelled as the code it really was.
        classification_case{exit_status::exited_with(134), exit_classification::panic_abort, "134", ""},
        classification_case{exit_status::exited_with(139), exit_classification::native_crash, "139", ""},
        classification_case{exit_status::exited_with(137), exit_classification::killed, "137", ""},
        classification_case{exit_status::exited_with(141), exit_classification::pipe_closed, "141", ""},
        classification_case{exit_status::exited_with(143), exit_classification::external_stop, "143", ""},
        classification_case{exit_status::exited_with(128), exit_classification::error_exit, "128", ""},
        classification_case{exit_status::exited_with(255), exit_classification::error_exit, "255", ""},
        classification_case{exit_status::unknown(), exit_classification::unknown, "", ""}));

TEST(exit_classifier, decodes_wait_status_words) {
  EXPECT_EQ(exit_status_from_wait_status(0), exit_status::exited_with(0));
  EXPECT_EQ(exit_status_from_wait_status(3 << 8), exit_status::exited_with(3));
  EXPECT_EQ(exit_status_from_wait_status(SIGSEGV), exit_status::killed_by(SIGSEGV));
  // The proc connector reports the same word; 0x80 is the core-dump bit.
  EXPECT_EQ(exit_status_from_wait_status(SIGABRT | 0x80), exit_status::killed_by(SIGABRT, true));
}

TEST(exit_classifier, decodes_siginfo) {
  EXPECT_EQ(exit_status_from_siginfo(CLD_EXITED, 0), exit_status::exited_with(0));
  EXPECT_EQ(exit_status_from_siginfo(CLD_EXITED, 42), exit_status::exited_with(42));
  EXPECT_EQ(exit_status_from_siginfo(CLD_KILLED, SIGKILL), exit_status::killed_by(SIGKILL));
  EXPECT_EQ(exit_status_from_siginfo(CLD_DUMPED, SIGSEGV), exit_status::killed_by(SIGSEGV, true));
  EXPECT_EQ(exit_status_from_siginfo(CLD_STOPPED, SIGSTOP), exit_status::unknown());
}

TEST(exit_classifier, crash_soon_after_start_is_a_startup_regression) {
  EXPECT_TRUE(classify_exit(exit_status::killed_by(SIGSEGV), 5s).startup_regression);
  EXPECT_TRUE(classify_exit(exit_status::exited_with(0), 200ms).startup_regression);
  EXPECT_TRUE(classify_exit(exit_status::killed_by(SIGABRT), 59999ms).startup_regression);
  EXPECT_FALSE(classify_exit(exit_status::killed_by(SIGABRT), 60s).startup_regression);
}

TEST(exit_classifier, stops_and_unknown_exits_are_never_startup_regressions) {
  EXPECT_FALSE(classify_exit(exit_status::killed_by(SIGTERM), 1s).startup_regression);
  EXPECT_FALSE(classify_exit(exit_status::killed_by(SIGINT), 1s).startup_regression);
  EXPECT_FALSE(classify_exit(exit_status::unknown(), 1s).startup_regression);
  EXPECT_FALSE(classify_exit(exit_status::killed_by(SIGSEGV), -1ms).startup_regression);
}

TEST(exit_classifier, signal_names_are_a_bounded_set) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(0), "");
  EXPECT_EQ(signal_name(-3), "");
  EXPECT_EQ(signal_name(40), "SIG40");
  EXPECT_EQ(signal_name(65), "SIG_OUT_OF_RANGE");
  EXPECT_EQ(signal_name(100000), "SIG_OUT_OF_RANGE");
}

}  // namespace
}  // namespace meshwatch

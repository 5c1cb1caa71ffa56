// journald by unit, against a real journal file written by systemd-journal-remote (this
// container runs no journald). Skipped, saying why, when that tool is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "daemon/console/console_watcher.hpp"
#include "tests/integration/console/watcher_test_util.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using test::run_until;

const char* const journal_remote = "/lib/systemd/systemd-journal-remote";

// Export format (systemd.io/JOURNAL_EXPORT_FORMATS) of one entry per message.
std::string export_entries(const std::string& unit, const std::vector<std::string>& messages) {
  static std::uint64_t seq = 0;
  std::ostringstream out;
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  for (const auto& m : messages) {
    ++seq;
    out << "__REALTIME_TIMESTAMP=" << now + static_cast<std::int64_t>(seq) << "\n"
        << "__MONOTONIC_TIMESTAMP=" << seq << "\n"
        << "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
        << "_MACHINE_ID=0123456789abcdef0123456789abcdef\n"
        << "_HOSTNAME=test\n"
        << "_TRANSPORT=stdout\n"
        << "_SYSTEMD_UNIT=" << unit << "\n"
        << "MESSAGE=" << m << "\n\n";
  }
  return out.str();
}

// Appends entries to the journal file (journal-remote appends to an existing file).
void write_journal(const std::string& journal, const std::string& export_text, const std::string& scratch) {
  test::write_file(scratch, export_text);
  std::string cmd = std::string(journal_remote) + " --output=" + journal + " " + scratch + " >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
}

class journald : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(journal_remote)) {
      GTEST_SKIP() << "no journald in this container and " << journal_remote
                   << " (Debian package systemd-journal-remote) is not installed to write a journal file";
    }
  }
  std::string start(bool from_beginning) {
    watcher = std::make_unique<console_watcher>(io, registry, test::mesher_options(), std::ref(log));
    journald_options o;
    o.unit = "mesher.service";
    o.files = {journal};
    o.from_beginning = from_beginning;
    o.poll_interval = 50ms;
    return watcher->follow_journald(o);
  }

  test::temp_dir dir;
  std::string journal = dir.file("mesher.journal");
  boost::asio::io_context io;
  prometheus::Registry registry;
  test::event_log log;
  std::unique_ptr<console_watcher> watcher;
};

TEST_F(journald, reads_the_units_entries_and_groups_a_panic) {
  write_journal(
      journal,
      export_entries("mesher.service",
                     {"[Mesher] Foundation ready", "[mesh-rt] HTTP server listening on 0.0.0.0:8080", "",
                      "thread '<unnamed>' (9) panicked at crates/mesh-rt/src/panic.rs:33:9:",
                      "Mesh panic at <unknown>:0: non-exhaustive match in switch",
                      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
                      "thread caused non-unwinding panic. aborting."}) +
          export_entries("other.service", {"[Mesher] Partition error"}),
      dir.file("a.export"));
  ASSERT_EQ(start(true), "");
  ASSERT_TRUE(run_until(
      io, [&] { return log.count(console_event_kind::panic) == 1; }, 5s));
  EXPECT_EQ(log.count(console_event_kind::foundation_ready), 1u);
  EXPECT_EQ(log.count(console_event_kind::http_listening), 1u);
  // The other unit's line is filtered out by the match.
  EXPECT_FALSE(run_until(
      io, [&] { return log.count(console_event_kind::partition_error) > 0; }, 200ms));
  const auto& p = *log.events.back().panic;
  EXPECT_EQ(p.message, "Mesh panic at <unknown>:0: non-exhaustive match in switch");
  EXPECT_EQ(log.events.back().stream, console_stream::merged);
}

TEST_F(journald, follows_new_entries_from_the_tail) {
  write_journal(journal, export_entries("mesher.service", {"[Mesher] Partition error"}),
                dir.file("a.export"));
  ASSERT_EQ(start(false), "");
  EXPECT_FALSE(run_until(
      io, [&] { return !log.events.empty(); }, 200ms));  // old entries skipped
  write_journal(journal, export_entries("mesher.service", {"[Mesher] Health check: all services responsive"}),
                dir.file("b.export"));
  ASSERT_TRUE(run_until(
      io, [&] { return log.count(console_event_kind::health_check) == 1; }, 5s));
  EXPECT_EQ(log.count(console_event_kind::partition_error), 0u);
  EXPECT_TRUE(watcher->heartbeats().last_seen(heartbeat::health_check));
}

TEST_F(journald, unreadable_journal_is_an_error_not_a_crash) {
  watcher = std::make_unique<console_watcher>(io, registry, test::mesher_options(), std::ref(log));
  journald_options o;
  o.unit = "mesher.service";
  o.files = {dir.file("missing.journal")};
  EXPECT_NE(watcher->follow_journald(o), "");
}

}  // namespace
}  // namespace meshwatch

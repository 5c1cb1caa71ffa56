#include "daemon/process/process_locator.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace meshwatch {
namespace {

namespace fs = std::filesystem;

// --- pidfile text -----------------------------------------------------------------------

TEST(parse_pidfile, plain_and_trailing_newline) {
  EXPECT_EQ(parse_pidfile("1234"), 1234);
  EXPECT_EQ(parse_pidfile("1234\n"), 1234);
  EXPECT_EQ(parse_pidfile("  1234 \r\n"), 1234);
  EXPECT_EQ(parse_pidfile("\t42\n\n"), 42);
}

TEST(parse_pidfile, rejects_empty_and_blank) {
  std::string why;
  EXPECT_FALSE(parse_pidfile("", &why));
  EXPECT_EQ(why, "pidfile is empty");
  EXPECT_FALSE(parse_pidfile(" \n\n", &why));
  EXPECT_EQ(why, "pidfile is empty");
}

TEST(parse_pidfile, rejects_garbage) {
  std::string why;
  for (const char* text : {"abc", "12a", "0x10", "-5", "+5", "12 13", "12\n13\n", "1.5", "１２"}) {
    EXPECT_FALSE(parse_pidfile(text, &why)) << text;
  }
  EXPECT_FALSE(parse_pidfile(std::string_view("12\0", 3), &why));
  EXPECT_EQ(why, "pidfile does not hold a single decimal PID");
}

TEST(parse_pidfile, rejects_zero_and_out_of_range) {
  std::string why;
  EXPECT_FALSE(parse_pidfile("0", &why));
  EXPECT_EQ(why, "PID in pidfile must be positive");
  EXPECT_FALSE(parse_pidfile("4194305", &why));  // above PID_MAX_LIMIT
  EXPECT_EQ(why, "PID in pidfile is out of range");
  EXPECT_FALSE(parse_pidfile("99999999999999999999999", &why));
  EXPECT_EQ(parse_pidfile("4194304"), 4194304);
}

TEST(parse_pidfile, rejects_huge_text) {
  std::string why;
  std::string huge(1 << 20, '1');
  EXPECT_FALSE(parse_pidfile(huge, &why));
  EXPECT_EQ(why, "pidfile is too large to hold a PID");
  // Even if it is "just" whitespace around a PID.
  EXPECT_FALSE(parse_pidfile("12" + std::string(200, ' ')));
}

// --- cgroup.procs ------------------------------------------------------------------------

TEST(parse_cgroup_procs, one_pid_per_line) {
  EXPECT_EQ(parse_cgroup_procs("12\n345\n6\n"), (std::vector<pid_t>{12, 345, 6}));
  EXPECT_EQ(parse_cgroup_procs("12\n345"), (std::vector<pid_t>{12, 345}));
  EXPECT_TRUE(parse_cgroup_procs("").empty());
  EXPECT_TRUE(parse_cgroup_procs("\n").empty());
}

TEST(parse_cgroup_procs, skips_malformed_lines) {
  EXPECT_EQ(parse_cgroup_procs("12\nxx\n\n0\n-3\n7\n"), (std::vector<pid_t>{12, 7}));
}

TEST(parse_cgroup_procs, is_bounded) {
  std::string text;
  for (int i = 1; i <= 100; ++i) {
    text += std::to_string(i) + "\n";
  }
  EXPECT_EQ(parse_cgroup_procs(text, 10).size(), 10u);
}

TEST(cgroup_procs_candidates, v2_hybrid_v1_in_order) {
  auto paths = cgroup_procs_candidates("mesher.service", "/sys/fs/cgroup");
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[0], "/sys/fs/cgroup/system.slice/mesher.service/cgroup.procs");
  EXPECT_EQ(paths[1], "/sys/fs/cgroup/unified/system.slice/mesher.service/cgroup.procs");
  EXPECT_EQ(paths[2], "/sys/fs/cgroup/systemd/system.slice/mesher.service/cgroup.procs");
}

TEST(cgroup_procs_candidates, suffix_and_explicit_path) {
  EXPECT_EQ(cgroup_procs_candidates("mesher", "/r")[0], "/r/system.slice/mesher.service/cgroup.procs");
  EXPECT_EQ(cgroup_procs_candidates("app.slice/mesher.service", "/r")[0],
            "/r/app.slice/mesher.service/cgroup.procs");
}

// --- the locator on real files (pointing at this test process) ----------------------------

class locator_files : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("meshwatch-locator-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  fs::path dir_;
};

TEST_F(locator_files, pidfile_names_a_live_process) {
  write(dir_ / "m.pid", std::to_string(getpid()) + "\n");
  process_locator locator(process_pidfile{(dir_ / "m.pid").string()});
  auto id = locator.locate();
  ASSERT_TRUE(id) << locator.last_error();
  EXPECT_EQ(id->pid, getpid());
  EXPECT_EQ(id, read_process_identity(getpid()));
}

TEST_F(locator_files, missing_and_garbage_pidfiles_say_why) {
  process_locator missing(process_pidfile{(dir_ / "none.pid").string()});
  EXPECT_FALSE(missing.locate());
  EXPECT_NE(missing.last_error().find("does not exist"), std::string::npos);

  write(dir_ / "bad.pid", "mesher\n");
  process_locator bad(process_pidfile{(dir_ / "bad.pid").string()});
  EXPECT_FALSE(bad.locate());
  EXPECT_NE(bad.last_error().find("single decimal PID"), std::string::npos) << bad.last_error();

  write(dir_ / "huge.pid", std::string(100000, '7'));
  process_locator huge(process_pidfile{(dir_ / "huge.pid").string()});
  EXPECT_FALSE(huge.locate());
  EXPECT_NE(huge.last_error().find("too large"), std::string::npos) << huge.last_error();
}

TEST_F(locator_files, pidfile_naming_a_dead_pid) {
  write(dir_ / "m.pid", "4194304\n");  // PID_MAX_LIMIT itself: never a live PID in practice
  process_locator locator(process_pidfile{(dir_ / "m.pid").string()});
  EXPECT_FALSE(locator.locate());
  EXPECT_NE(locator.last_error().find("not running"), std::string::npos) << locator.last_error();
}

TEST_F(locator_files, pidfile_older_than_the_process_is_stale) {
  // Written "a year ago", naming a process that started minutes ago: the PID was reused.
  auto path = dir_ / "m.pid";
  write(path, std::to_string(getpid()));
  timespec times[2] = {{::time(nullptr) - 365 * 86400, 0}, {::time(nullptr) - 365 * 86400, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  process_locator locator(process_pidfile{path.string()});
  EXPECT_FALSE(locator.locate());
  EXPECT_NE(locator.last_error().find("stale"), std::string::npos) << locator.last_error();
}

TEST_F(locator_files, pidfile_distrusted_after_exit_until_rewritten) {
  auto path = dir_ / "m.pid";
  write(path, std::to_string(getpid()) + "\n");
  process_locator locator(process_pidfile{path.string()});
  auto id = locator.locate();
  ASSERT_TRUE(id);
  locator.on_exited(*id);
  EXPECT_FALSE(locator.locate());
  EXPECT_NE(locator.last_error().find("still names"), std::string::npos);
  // Rewritten (rename over it, like most daemons do): trusted again.
  write(dir_ / "m.pid.tmp", std::to_string(getpid()));
  fs::rename(dir_ / "m.pid.tmp", path);
  EXPECT_TRUE(locator.locate()) << locator.last_error();
}

TEST_F(locator_files, systemd_unit_v2_layout) {
  write(dir_ / "system.slice/mesher.service/cgroup.procs", "4194304\n" + std::to_string(getpid()) + "\n");
  process_locator locator(process_systemd_unit{"mesher.service"}, locator_options{"/proc", dir_.string()});
  auto id = locator.locate();
  ASSERT_TRUE(id) << locator.last_error();
  EXPECT_EQ(id->pid, getpid());
}

TEST_F(locator_files, systemd_unit_hybrid_layout_and_oldest_process_wins) {
  // PID 1 started before us: it is the unit's main process.
  write(dir_ / "unified/system.slice/mesher.service/cgroup.procs", std::to_string(getpid()) + "\n1\n");
  process_locator locator(process_systemd_unit{"mesher"}, locator_options{"/proc", dir_.string()});
  auto id = locator.locate();
  ASSERT_TRUE(id) << locator.last_error();
  EXPECT_EQ(id->pid, 1);
}

TEST_F(locator_files, systemd_unit_absent_or_empty) {
  process_locator absent(process_systemd_unit{"mesher.service"}, locator_options{"/proc", dir_.string()});
  EXPECT_FALSE(absent.locate());
  EXPECT_NE(absent.last_error().find("no cgroup"), std::string::npos) << absent.last_error();

  write(dir_ / "systemd/system.slice/mesher.service/cgroup.procs", "");
  process_locator empty(process_systemd_unit{"mesher.service"}, locator_options{"/proc", dir_.string()});
  EXPECT_FALSE(empty.locate());
  EXPECT_NE(empty.last_error().find("no processes"), std::string::npos) << empty.last_error();
}

TEST(process_locator, rejects_exec_and_bad_regex) {
  EXPECT_THROW(process_locator(process_exec{{"/bin/true"}}), std::invalid_argument);
  EXPECT_THROW(process_locator(process_match{"(unclosed"}), std::invalid_argument);
}

TEST(process_locator, match_excludes_meshwatch_itself) {
  // This test binary's own name matches, but a watcher must never pick itself. ctest runs other
  // cases of this binary in parallel processes, which may legitimately match; only our own PID
  // must never be the answer.
  process_locator locator(process_match{"process_unit_tests"});
  auto found = locator.locate();
  EXPECT_TRUE(!found || found->pid != ::getpid()) << "picked itself";
}

TEST(process_locator, match_by_comm) {
  // Match PID 1's name, whatever it is: it is always there and started first.
  std::ifstream comm("/proc/1/comm");
  std::string name;
  std::getline(comm, name);
  ASSERT_FALSE(name.empty());
  process_locator locator(process_match{"^" + name + "$"}, locator_options{});
  auto id = locator.locate();
  ASSERT_TRUE(id) << locator.last_error();
  EXPECT_EQ(id->pid, 1);
}

}  // namespace
}  // namespace meshwatch

#include <gtest/gtest.h>
#include <unistd.h>

#include "daemon/proc_sampler.hpp"

namespace meshwatch {
namespace {

// A real /proc/<pid>/stat line whose comm holds a space and a ')' — the reason the parser
// splits at the last ')'.
constexpr const char* tricky_stat =
    "4242 (mesh (er) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 17 0 98765 "
    "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(proc_sampler, parses_stat_with_hostile_comm) {
  auto f = parse_proc_stat(tricky_stat);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->utime_ticks, 250u);
  EXPECT_EQ(f->stime_ticks, 75u);
  EXPECT_EQ(f->threads, 17);
  EXPECT_EQ(f->start_ticks, 98765u);
  EXPECT_EQ(f->vsize, 123456789u);
  EXPECT_EQ(f->rss_pages, 2048);
}

TEST(proc_sampler, rejects_truncated_and_garbage_stat) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("no parenthesis at all"));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 75 0 0 20 0 17 0 98765 1 2 3"));
}

TEST(proc_sampler, max_open_files_soft_limit) {
  constexpr const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(parse_max_open_files(limits), 1024);
  EXPECT_EQ(parse_max_open_files("Max open files            unlimited            unlimited  files\n"), -1);
  EXPECT_EQ(parse_max_open_files("nothing here"), -1);
}

TEST(proc_sampler, samples_this_process) {
  auto s = sample_process(getpid());
  ASSERT_TRUE(s);
  EXPECT_GT(s->resident_bytes, 1024u * 1024u);
  EXPECT_GE(s->threads, 1);
  EXPECT_GE(s->open_fds, 3);  // stdin, stdout, stderr at least
  EXPECT_GT(s->max_fds, 0);
  EXPECT_GT(s->start_time_seconds, 1.6e9);
}

TEST(proc_sampler, missing_process_is_nullopt) {
  // PID_MAX_LIMIT is 2^22; nothing runs above it.
  EXPECT_FALSE(sample_process(static_cast<pid_t>((1 << 22) + 7)));
}

}  // namespace
}  // namespace meshwatch

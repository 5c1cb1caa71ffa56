// Bounded line assembly: long lines, any bytes, CRLF, chunk boundaries anywhere.
#include <gtest/gtest.h>

#include <random>

#include "daemon/console/line_splitter.hpp"

namespace meshwatch {
namespace {

class splitter_test : public ::testing::Test {
 protected:
  line_splitter make(std::size_t max = line_splitter::default_max_line_bytes) {
    return line_splitter(console_stream::err, max, [this](console_line l) { lines.push_back(std::move(l)); });
  }
  console_time t = console_time::now();
  std::vector<console_line> lines;
};

TEST_F(splitter_test, splits_on_newlines_across_chunks) {
  auto s = make();
  s.feed("[Mesher] Load mon", t);
  s.feed("itor: 1 events/5s, 0 peers\n[WS] Connection", t);
  EXPECT_EQ(lines.size(), 1u);
  s.feed(" closed: 1000\n", t);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "[Mesher] Load monitor: 1 events/5s, 0 peers");
  EXPECT_EQ(lines[1].text, "[WS] Connection closed: 1000");
  EXPECT_EQ(lines[1].stream, console_stream::err);
  EXPECT_EQ(s.pending_bytes(), 0u);
}

TEST_F(splitter_test, crlf_and_empty_lines) {
  auto s = make();
  s.feed("a\r\n\r\n\nb\rc\n", t);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "");
  EXPECT_EQ(lines[3].text, "b\rc");  // a CR inside a line is content
}

TEST_F(splitter_test, one_mebibyte_line_is_cut_to_the_limit_and_counted) {
  auto s = make();
  std::string big(1024 * 1024, 'x');
  // Fed in odd-sized chunks, as a pipe would deliver it.
  for (std::size_t pos = 0; pos < big.size(); pos += 65521) {
    s.feed(std::string_view(big).substr(pos, 65521), t);
  }
  EXPECT_LE(s.pending_bytes(), line_splitter::default_max_line_bytes);
  s.feed("\nnext\n", t);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].truncated);
  EXPECT_EQ(lines[0].text.size(), line_splitter::default_max_line_bytes);
  EXPECT_FALSE(lines[1].truncated);
  EXPECT_EQ(lines[1].text, "next");
  EXPECT_EQ(s.truncated_lines(), 1u);
  EXPECT_EQ(s.lines(), 2u);
}

TEST_F(splitter_test, line_exactly_at_the_limit_is_not_truncated) {
  auto s = make(8);
  s.feed("12345678\n123456789\n", t);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_FALSE(lines[0].truncated);
  EXPECT_TRUE(lines[1].truncated);
  EXPECT_EQ(lines[1].text, "12345678");
}

TEST_F(splitter_test, binary_bytes_become_replacement_characters) {
  auto s = make();
  std::string bin("a\0b\xff\xfe\xc3(\xe2\x82z\xf0\x9f\x98\x80\n", 15);
  s.feed(bin, t);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].had_invalid_bytes);
  // NUL, FF, FE, C3 (bad continuation), E2 82 (cut) → U+FFFD each; the emoji is valid.
  EXPECT_EQ(lines[0].text,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBDz\xF0\x9F\x98\x80");
}

TEST_F(splitter_test, random_bytes_never_break_it) {
  auto s = make(1024);
  std::mt19937 rng(42);
  std::string chunk(4096, '\0');
  for (int round = 0; round < 200; ++round) {
    for (auto& c : chunk) {
      c = static_cast<char>(rng() & 0xFF);
    }
    s.feed(chunk, t);
    EXPECT_LE(s.pending_bytes(), 1024u);
  }
  std::string out;
  for (const auto& l : lines) {
    // Every emitted line is valid UTF-8 (sanitizing it again changes nothing).
    EXPECT_FALSE(sanitize_utf8(l.text, out));
    EXPECT_LE(l.text.size(), 3u * 1024u);
  }
}

TEST_F(splitter_test, surrogates_and_overlongs_are_invalid) {
  std::string out;
  EXPECT_TRUE(sanitize_utf8("\xED\xA0\x80", out));      // UTF-16 surrogate
  EXPECT_TRUE(sanitize_utf8("\xC0\xAF", out));          // overlong '/'
  EXPECT_TRUE(sanitize_utf8("\xF4\x90\x80\x80", out));  // above U+10FFFF
  EXPECT_FALSE(sanitize_utf8("caf\xC3\xA9", out));
  EXPECT_EQ(out, "caf\xC3\xA9");
}

TEST_F(splitter_test, flush_emits_the_partial_line_and_gap_marks_the_next) {
  auto s = make();
  s.feed("partial", t);
  s.mark_gap(t);
  s.feed("tail of something\nwhole\n", t);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "partial");
  EXPECT_FALSE(lines[0].after_gap);
  EXPECT_TRUE(lines[1].after_gap);
  EXPECT_FALSE(lines[2].after_gap);
  s.flush(t);
  EXPECT_EQ(lines.size(), 3u);  // nothing pending: no empty line invented
}

TEST_F(splitter_test, receipt_time_is_the_chunk_that_completed_the_line) {
  auto s = make();
  console_time t1{std::chrono::system_clock::time_point(std::chrono::seconds(1)),
                  std::chrono::steady_clock::time_point(std::chrono::seconds(1))};
  console_time t2{std::chrono::system_clock::time_point(std::chrono::seconds(2)),
                  std::chrono::steady_clock::time_point(std::chrono::seconds(2))};
  s.feed("ab", t1);
  s.feed("c\n", t2);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].received.mono, t2.mono);
  EXPECT_EQ(lines[0].received.wall, t2.wall);
}

}  // namespace
}  // namespace meshwatch

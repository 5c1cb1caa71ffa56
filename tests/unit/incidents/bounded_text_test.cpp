#include "daemon/incidents/bounded_text.hpp"

#include <gtest/gtest.h>

namespace meshwatch {
namespace {

TEST(bounded_text, short_valid_text_is_unchanged) {
  EXPECT_EQ(bounded_text("hello", 16), "hello");
  EXPECT_EQ(bounded_text("", 16), "");
  EXPECT_EQ(bounded_text("exactly8", 8), "exactly8");
  EXPECT_EQ(bounded_text("\xC3\xA9t\xC3\xA9 \xF0\x9F\x92\xA5", 16), "\xC3\xA9t\xC3\xA9 \xF0\x9F\x92\xA5");
}

TEST(bounded_text, long_text_is_cut_with_an_ellipsis_within_the_bound) {
  const auto out = bounded_text(std::string(100, 'a'), 10);
  EXPECT_EQ(out, "aaaaaaa\xE2\x80\xA6");
  EXPECT_EQ(out.size(), 10U);
}

TEST(bounded_text, cut_never_splits_a_code_point) {
  // Each 'é' is two bytes: a 9-byte bound leaves 6 bytes before the ellipsis = three 'é'.
  const auto out = bounded_text("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 9);
  EXPECT_EQ(out, "\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  const auto out2 = bounded_text("\xF0\x9F\x92\xA5\xF0\x9F\x92\xA5\xF0\x9F\x92\xA5", 8);
  EXPECT_EQ(out2, "\xF0\x9F\x92\xA5\xE2\x80\xA6");
}

TEST(bounded_text, invalid_bytes_and_nul_become_replacement_characters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(bounded_text(std::string("a\xFF"
                                     "b",
                                     3),
                         16),
            "a" + fffd + "b");
  EXPECT_EQ(bounded_text(std::string("a\0b", 3), 16), "a" + fffd + "b");
  EXPECT_EQ(bounded_text("\xC3", 16), fffd);                                   // truncated sequence
  EXPECT_EQ(bounded_text("\xC0\xAF", 16), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(bounded_text("\xED\xA0\x80", 16), fffd + fffd + fffd);             // UTF-16 surrogate
  EXPECT_EQ(bounded_text("\xF4\x90\x80\x80", 16), fffd + fffd + fffd + fffd);  // > U+10FFFF
  EXPECT_EQ(bounded_text("\x80\x80", 16), fffd + fffd);                        // lone continuation bytes
}

TEST(bounded_text, replacement_growth_is_still_bounded) {
  const auto out = bounded_text(std::string(1000, '\xFF'), 64);
  EXPECT_LE(out.size(), 64U);
  EXPECT_EQ(out.substr(out.size() - 3), "\xE2\x80\xA6");
}

TEST(bounded_text, tiny_bounds_stay_valid) {
  EXPECT_EQ(bounded_text("abcdef", 0), "");
  EXPECT_EQ(bounded_text("abcdef", 2), "");
  EXPECT_EQ(bounded_text("abcdef", 3), "\xE2\x80\xA6");
  EXPECT_EQ(bounded_text("ab", 2), "ab");
}

}  // namespace
}  // namespace meshwatch

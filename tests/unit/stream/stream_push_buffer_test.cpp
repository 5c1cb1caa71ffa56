#include <gtest/gtest.h>

#include "daemon/stream_push_buffer.hpp"

namespace meshwatch {
namespace {

using clock = std::chrono::steady_clock;

auto equals(std::string wanted) {
  return std::function<bool(const std::string&)>([wanted](const std::string& s) { return s == wanted; });
}

TEST(stream_push_buffer, numbers_pushes_and_finds_only_those_after_a_seq) {
  stream_push_buffer buffer(10, 1024);
  auto t0 = clock::now();
  EXPECT_EQ(buffer.next_seq(), 0u);
  EXPECT_EQ(buffer.add("a", t0, 1), 0u);
  const auto before_request = buffer.next_seq();
  EXPECT_EQ(buffer.add("b", t0, 1), 1u);
  EXPECT_EQ(buffer.add("a", t0, 2), 2u);
  const auto* found = buffer.find(before_request, equals("a"));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->seq, 2u);  // the "a" from before the request does not count
  EXPECT_EQ(found->connection, 2u);
  EXPECT_EQ(buffer.find(0, equals("a"))->seq, 0u);
  EXPECT_EQ(buffer.find(before_request, equals("c")), nullptr);
  EXPECT_EQ(buffer.find(buffer.next_seq(), equals("a")), nullptr);
}

TEST(stream_push_buffer, keeps_only_the_newest_pushes_by_count) {
  stream_push_buffer buffer(3, 1024);
  for (int i = 0; i < 5; ++i) buffer.add(std::to_string(i), clock::now(), 1);
  EXPECT_EQ(buffer.size(), 3u);
  EXPECT_EQ(buffer.find(0, equals("1")), nullptr);
  ASSERT_NE(buffer.find(0, equals("2")), nullptr);
  EXPECT_EQ(buffer.find(0, equals("2"))->seq, 2u);
  EXPECT_TRUE(buffer.evicted_since(0));
  EXPECT_TRUE(buffer.evicted_since(1));
  EXPECT_FALSE(buffer.evicted_since(2));
  EXPECT_FALSE(buffer.evicted_since(5));
}

TEST(stream_push_buffer, keeps_within_the_byte_bound_even_for_one_huge_push) {
  stream_push_buffer buffer(100, 10);
  buffer.add("12345", clock::now(), 1);
  buffer.add("67890", clock::now(), 1);
  EXPECT_EQ(buffer.bytes(), 10u);
  buffer.add("x", clock::now(), 1);
  EXPECT_EQ(buffer.size(), 2u);
  EXPECT_EQ(buffer.bytes(), 6u);
  buffer.add(std::string(11, 'y'), clock::now(), 1);
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(buffer.bytes(), 0u);
  EXPECT_EQ(buffer.next_seq(), 4u);
  EXPECT_TRUE(buffer.evicted_since(3));  // the huge one was received and dropped
  EXPECT_FALSE(buffer.evicted_since(4));
}

TEST(stream_push_buffer, an_empty_buffer_has_evicted_nothing) {
  stream_push_buffer buffer(1, 1);
  EXPECT_FALSE(buffer.evicted_since(0));
  EXPECT_EQ(buffer.find(0, equals("")), nullptr);
}

}  // namespace
}  // namespace meshwatch

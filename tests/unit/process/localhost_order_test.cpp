#include "daemon/process/localhost_order.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace meshwatch {
namespace {

TEST(localhost_order, keeps_order_and_drops_duplicates) {
  EXPECT_EQ(format_address_order({"::1", "127.0.0.1", "::1"}), "::1,127.0.0.1");
  EXPECT_EQ(format_address_order({"127.0.0.1", "::1"}), "127.0.0.1,::1");
  EXPECT_EQ(format_address_order({}), "");
}

TEST(localhost_order, is_bounded) { EXPECT_EQ(format_address_order({"a", "b", "c"}, 2), "a,b,…"); }

TEST(localhost_order, resolves_off_the_loop_and_answers_once) {
  boost::asio::io_context io;
  std::vector<std::string> answers;
  resolve_localhost_order(io.get_executor(), std::chrono::seconds(5),
                          [&](std::string order) { answers.push_back(std::move(order)); });
  io.run_for(std::chrono::seconds(10));
  ASSERT_EQ(answers.size(), 1u);
  // Every host resolves localhost to a loopback address, whichever family comes first.
  EXPECT_TRUE(answers[0].find("127.0.0.1") != std::string::npos ||
              answers[0].find("::1") != std::string::npos)
      << answers[0];
}

}  // namespace
}  // namespace meshwatch

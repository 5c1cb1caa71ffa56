// Size limits (16 MiB), backpressure of broadcasts (F-36) and stop().
#include <gtest/gtest.h>

#include <future>

#include <boost/asio/io_context.hpp>

#include "tests/integration/twin_ws/beast_test_client.hpp"
#include "tests/integration/twin_ws/ws_test_client.hpp"

namespace meshwatch::test {
namespace {

constexpr std::size_t mib = 1024 * 1024;

raw_ws_client upgraded(twin_ws_harness& twin, const std::string& target) {
  raw_ws_client client;
  EXPECT_TRUE(client.connect(twin.port()));
  EXPECT_EQ(client.upgrade(target).rfind("HTTP/1.1 101", 0), 0u);
  return client;
}

TEST(limits, a_single_frame_over_16_mib_drops_the_connection_without_close) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  // Only the header: the server must decide from the declared length.
  std::string header("\x81\xFF", 2);
  const std::uint64_t length = 16 * mib + 1;
  for (int i = 7; i >= 0; --i) {
    header.push_back(static_cast<char>((length >> (i * 8)) & 0xFF));
  }
  header.append("\0\0\0\0", 4);
  ASSERT_TRUE(client.send(header));
  EXPECT_EQ(client.read_frame().what, raw_ws_client::status::eof);
}

TEST(limits, a_single_frame_of_exactly_16_mib_is_accepted) {
  twin_ws_harness twin([](const std::string& frame) { return std::to_string(frame.size()); });
  raw_ws_client client;
  ASSERT_TRUE(client.connect(twin.port()));
  ASSERT_EQ(client.upgrade("/ingest", "x-sentry-auth: k\r\n").rfind("HTTP/1.1 101", 0), 0u);
  ASSERT_TRUE(client.send(client_frame(0x2, std::string(16 * mib, 'a'))));
  const auto r = client.read_frame(20s);
  ASSERT_EQ(r.what, raw_ws_client::status::frame);
  EXPECT_EQ(r.frame.payload, std::to_string(16 * mib));
}

TEST(limits, a_fragmented_message_over_16_mib_closes_1009) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(client.send(client_frame(0x1, std::string(16 * mib, 'a'), false)));
  ASSERT_TRUE(client.send(client_frame(0x0, "b", true)));
  const auto r = client.read_frame(20s);
  ASSERT_EQ(r.what, raw_ws_client::status::frame);
  EXPECT_EQ(r.frame.close_code(), 1009);
  EXPECT_EQ(r.frame.close_reason(), "message too big");
}

TEST(limits, a_stalled_subscriber_blocks_the_broadcaster_until_it_goes_away) {
  twin_ws_harness twin;
  auto stalled = upgraded(twin, "/stream/projects/p");
  // The room is joined after the 101 is sent; one round trip makes sure it is done. From here
  // on the client never reads.
  ASSERT_TRUE(stalled.send(client_frame(0x1, "{}")));
  ASSERT_EQ(stalled.read_frame().what, raw_ws_client::status::frame);
  const std::string message(1 * mib, 'x');
  std::promise<void> blocked_forever_guard;
  auto broadcaster = std::async(std::launch::async, [&] {
    // 16 MiB queue + socket buffers: 200 MiB cannot all be accepted by a peer that never reads.
    for (int i = 0; i < 200; ++i) {
      twin.server().broadcast("project:p", message);
    }
  });
  EXPECT_EQ(broadcaster.wait_for(1s), std::future_status::timeout) << "broadcast did not block";
  stalled.close();
  EXPECT_EQ(broadcaster.wait_for(10s), std::future_status::ready) << "broadcaster not released";
  EXPECT_TRUE(twin.wait_for_connections(0));
}

TEST(limits, broadcasting_on_the_io_thread_drops_instead_of_blocking) {
  boost::asio::io_context io;
  twin::ws_server server(io, {});
  const auto port = server.listen(0);
  std::thread runner([&] { io.run_for(30s); });
  raw_ws_client stalled;
  ASSERT_TRUE(stalled.connect(port));
  ASSERT_EQ(stalled.upgrade("/stream/projects/p").rfind("HTTP/1.1 101", 0), 0u);
  // Joining happens right after the 101 is written; a frame round trip makes sure it is done.
  ASSERT_TRUE(stalled.send(client_frame(0x1, "{}")));
  ASSERT_EQ(stalled.read_frame().what, raw_ws_client::status::frame);
  std::promise<void> done;
  const std::string message(1 * mib, 'x');
  boost::asio::post(io, [&] {
    for (int i = 0; i < 200; ++i) {
      server.broadcast("project:p", message);
    }
    done.set_value();
  });
  EXPECT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  server.stop();
  io.stop();
  runner.join();
}

TEST(limits, stop_closes_everything_without_console_lines) {
  twin_ws_harness twin;
  auto client = upgraded(twin, "/stream/projects/p");
  ASSERT_TRUE(twin.wait_for_connections(1));
  twin.server().stop();
  EXPECT_EQ(client.read_frame().what, raw_ws_client::status::eof);
  EXPECT_EQ(twin.server().connection_count(), 0u);
  EXPECT_TRUE(twin.out.lines().empty());
  raw_ws_client late;
  EXPECT_FALSE(late.connect(twin.port()));
}

}  // namespace
}  // namespace meshwatch::test

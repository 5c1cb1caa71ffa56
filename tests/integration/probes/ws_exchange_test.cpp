// perform_ws_exchange against the twin's WebSocket server (Mesher's wire behaviour) in-process.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "probes/ws_exchange.hpp"
#include "tests/integration/probes/scripted_server.hpp"
#include "tests/twin/ws/ws_server.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class ws_exchange_test : public ::testing::Test {
 protected:
  void SetUp() override {
    twin::ws_hooks hooks;
    hooks.on_ingest_frame = [](const std::string&) { return std::string(R"({"status":"accepted"})"); };
    hooks.console_out = [](std::string) {};
    hooks.console_err = [](std::string) {};
    server_ = std::make_unique<twin::ws_server>(server_io_, hooks);
    port_ = server_->listen(0);
    server_thread_ = std::thread([this] { server_io_.run(); });
  }
  void TearDown() override {
    server_->stop();
    work_.reset();
    server_io_.stop();
    server_thread_.join();
  }

  ws_exchange_result run(ws_exchange_request request, ws_exchange_limits limits = {}) {
    asio::io_context io;
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port_);
    request.host_header = "127.0.0.1:" + std::to_string(port_);
    auto future = asio::co_spawn(io, perform_ws_exchange(endpoint, request, limits), asio::use_future);
    io.run();
    return future.get();
  }

  asio::io_context server_io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{server_io_.get_executor()};
  std::unique_ptr<twin::ws_server> server_;
  std::thread server_thread_;
  unsigned short port_ = 0;
};

TEST_F(ws_exchange_test, stream_subscriber_gets_filters_updated) {
  ws_exchange_request request;
  request.target = "/stream/projects/5e000000-0000-4000-8000-000000000010";
  request.send = R"({"filters":{}})";
  request.wait_for_reply = true;
  auto r = run(request);
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.handshake_status, 101);
  ASSERT_TRUE(r.reply);
  EXPECT_EQ(*r.reply, R"({"type":"filters_updated"})");
  EXPECT_GT(r.phases.handshake.count(), 0);
}

TEST_F(ws_exchange_test, ingest_without_auth_is_101_then_close_1008) {
  ws_exchange_request request;
  request.target = "/ingest";
  request.wait_for_close = true;
  auto r = run(request);
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.handshake_status, 101);
  ASSERT_TRUE(r.close_code);
  EXPECT_EQ(*r.close_code, 1008);
  EXPECT_EQ(r.close_reason, "rejected");
}

TEST_F(ws_exchange_test, ingest_with_lowercase_auth_is_answered) {
  ws_exchange_request request;
  request.target = "/ingest";
  request.headers = {{"x-sentry-auth", "mshr_anything"}};
  request.send = "{}";
  request.wait_for_reply = true;
  auto r = run(request);
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.reply.value_or(""), R"({"status":"accepted"})");
}

TEST_F(ws_exchange_test, waiting_for_a_reply_when_rejected_is_ws_closed_with_the_code) {
  ws_exchange_request request;
  request.target = "/ingest";  // no auth: the server closes 1008 instead of answering
  request.send = "{}";
  request.wait_for_reply = true;
  auto r = run(request);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::ws_closed) << r.detail;
  EXPECT_EQ(r.close_code.value_or(0), 1008);
}

TEST_F(ws_exchange_test, reject_all_fault_closes_subscribers_too) {
  server_->set_reject_all(true);
  ws_exchange_request request;
  request.target = "/stream/projects/x";
  request.send = "{}";
  request.wait_for_reply = true;
  auto r = run(request);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::ws_closed);
  EXPECT_EQ(r.close_code.value_or(0), 1008);
}

TEST_F(ws_exchange_test, no_reply_before_the_deadline_is_ws_no_reply) {
  ws_exchange_request request;
  request.target = "/stream/projects/x";
  request.wait_for_reply = true;  // nothing sent, so the server never speaks
  ws_exchange_limits limits;
  limits.timeout = 300ms;
  auto began = std::chrono::steady_clock::now();
  auto r = run(request, limits);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::ws_no_reply) << r.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
}

TEST_F(ws_exchange_test, a_ping_after_the_reply_gets_its_pong) {
  ws_exchange_request request;
  request.target = "/stream/projects/x";
  request.send = R"({"filters":{}})";
  request.wait_for_reply = true;
  request.expect_pong = true;
  ws_exchange_limits limits;
  limits.timeout = 2s;
  auto began = std::chrono::steady_clock::now();
  auto r = run(request, limits);
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.reply.value_or(""), R"({"type":"filters_updated"})");
  EXPECT_GT(r.phases.pong.count(), 0);
  EXPECT_EQ(r.close_code.value_or(0), 1000);  // a clean close handshake after the pong
  // The pong ends the wait; the deadline is not what ended it.
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
}

TEST_F(ws_exchange_test, a_ping_alone_after_the_handshake_gets_its_pong) {
  ws_exchange_request request;
  request.target = "/stream/projects/x";
  request.expect_pong = true;
  auto r = run(request);
  ASSERT_FALSE(r.failure) << r.detail;
  EXPECT_GT(r.phases.pong.count(), 0);
}

TEST_F(ws_exchange_test, no_pong_fault_is_ws_no_pong_at_the_deadline) {
  server_->set_no_pong(true);
  ws_exchange_request request;
  request.target = "/stream/projects/x";
  request.send = R"({"filters":{}})";
  request.wait_for_reply = true;
  request.expect_pong = true;
  ws_exchange_limits limits;
  limits.timeout = 400ms;
  auto began = std::chrono::steady_clock::now();
  auto r = run(request, limits);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::ws_no_pong) << r.detail;
  EXPECT_EQ(r.reply.value_or(""), R"({"type":"filters_updated"})");  // replies still flow
  EXPECT_GE(std::chrono::steady_clock::now() - began, 400ms);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1500ms);
}

TEST(ws_exchange, non_websocket_server_is_ws_handshake_with_status) {
  test::scripted_server server({"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found"});
  asio::io_context io;
  ws_exchange_request request;
  request.target = "/stream/projects/x";
  request.host_header = "127.0.0.1";
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
  auto future = asio::co_spawn(io, perform_ws_exchange(endpoint, request, {}), asio::use_future);
  io.run();
  auto r = future.get();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::ws_handshake) << r.detail;
  EXPECT_EQ(r.handshake_status, 404);
}

TEST(ws_exchange, hanging_handshake_times_out) {
  test::scripted_reply reply;
  reply.hang = true;
  test::scripted_server server(reply);
  asio::io_context io;
  ws_exchange_request request;
  request.host_header = "127.0.0.1";
  ws_exchange_limits limits;
  limits.timeout = 300ms;
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
  auto future = asio::co_spawn(io, perform_ws_exchange(endpoint, request, limits), asio::use_future);
  io.run();
  auto r = future.get();
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, failure_reason::timeout) << r.detail;
}

}  // namespace
}  // namespace meshwatch

// The admin server in-process on an ephemeral port: bounds on connections, time and size.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "daemon/admin_server.hpp"
#include "tests/support/http_client.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;
using test::http_call;
using test::http_get;
using test::raw_exchange;

class admin_server_test : public ::testing::Test {
 protected:
  void start(admin_server_options options) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<admin_server>(io_, options);
    server_->add_route("/hello", [] { return admin_response{200, "text/plain", "hi\n"}; });
    server_->add_route("/boom", []() -> admin_response { throw std::runtime_error("handler bug"); });
    port_ = server_->listen();
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) {
      std::promise<void> stopped;
      boost::asio::post(io_, [&] {
        server_->stop();
        stopped.set_value();
      });
      stopped.get_future().wait_for(5s);
      io_.stop();
    }
    if (thread_.joinable()) thread_.join();
  }

  boost::asio::io_context io_;
  std::unique_ptr<admin_server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
};

TEST_F(admin_server_test, serves_routes_and_404s_the_rest) {
  start({});
  auto ok = http_get("127.0.0.1", port_, "/hello?x=1");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "hi\n");
  auto missing = http_get("127.0.0.1", port_, "/hello/more");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(admin_server_test, head_has_length_but_no_body) {
  start({});
  auto reply =
      raw_exchange("127.0.0.1", port_, "HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->starts_with("HTTP/1.1 200")) << *reply;
  EXPECT_NE(reply->find("Content-Length: 3\r\n"), std::string::npos) << *reply;
  EXPECT_TRUE(reply->ends_with("\r\n\r\n")) << *reply;
}

TEST_F(admin_server_test, handler_exception_is_a_500_not_a_crash) {
  start({});
  auto boom = http_get("127.0.0.1", port_, "/boom");
  ASSERT_TRUE(boom);
  EXPECT_EQ(boom->status, 500);
  auto ok = http_get("127.0.0.1", port_, "/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(admin_server_test, keep_alive_serves_several_requests_then_says_close_at_the_cap) {
  admin_server_options options;
  options.max_requests_per_connection = 3;
  start(options);
  std::string three;
  for (int i = 0; i < 3; ++i) three += "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
  auto reply = raw_exchange("127.0.0.1", port_, three);
  ASSERT_TRUE(reply) << "the server must close after its third request";
  std::size_t count = 0;
  for (auto pos = reply->find("HTTP/1.1 200"); pos != std::string::npos;
       pos = reply->find("HTTP/1.1 200", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u);
  EXPECT_NE(reply->find("Connection: close"), std::string::npos);
}

TEST_F(admin_server_test, idle_connection_is_closed_after_the_request_timeout) {
  admin_server_options options;
  options.request_timeout = 200ms;
  start(options);
  auto began = std::chrono::steady_clock::now();
  auto reply = raw_exchange("127.0.0.1", port_, "GET /hel", 5s);  // never finishes the request
  ASSERT_TRUE(reply) << "the server must close the connection itself";
  EXPECT_TRUE(reply->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
}

TEST_F(admin_server_test, connections_over_the_cap_are_closed_at_once) {
  admin_server_options options;
  options.max_connections = 2;
  start(options);
  // Two idle connections hold both slots. The listen backlog is FIFO, so once their connects
  // have returned they are accepted before any later connection.
  boost::asio::io_context client_io;
  using boost::asio::ip::tcp;
  tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port_);
  tcp::socket first(client_io);
  tcp::socket second(client_io);
  first.connect(endpoint);
  second.connect(endpoint);

  auto third =
      raw_exchange("127.0.0.1", port_, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s);
  ASSERT_TRUE(third) << "refused connections are closed, not left hanging";
  EXPECT_TRUE(third->empty()) << *third;

  // Freeing the slots lets new connections in again.
  first.close();
  second.close();
  std::optional<test::http_response> ok;
  for (int attempt = 0; attempt < 50 && !(ok && ok->status == 200); ++attempt) {
    ok = http_get("127.0.0.1", port_, "/hello", 1s);  // the server notices the closes asynchronously
  }
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(admin_server_test, requests_over_the_rate_are_429_until_tokens_return) {
  admin_server_options options;
  options.max_requests_per_second = 5;
  options.request_burst = 3;
  start(options);
  for (int i = 0; i < 3; ++i) {
    auto ok = http_get("127.0.0.1", port_, "/hello");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << i;
  }
  auto refused = http_get("127.0.0.1", port_, "/hello");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->headers["retry-after"], "1");
  std::this_thread::sleep_for(400ms);  // two tokens at 5/s
  auto again = http_get("127.0.0.1", port_, "/hello");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

}  // namespace
}  // namespace meshwatch

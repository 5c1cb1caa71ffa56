// Wire quirks (API.md §2, RUNTIME.md §8): framing, 404 for everything unknown, header limits,
// case-sensitive lowercase auth headers, routing tolerance, no decoding.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "tests/integration/twin/twin_harness.hpp"

namespace meshwatch::twin_test {
namespace {

class TwinWire : public ::testing::Test {
 protected:
  twin_process twin;
};

TEST_F(TwinWire, ResponseFramingIsExactlyFourHeadersAndClose) {
  auto raw = twin.raw("GET /api/v1/nope HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 9\r\n"
            "Connection: close\r\n\r\nNot Found");
}

TEST_F(TwinWire, UnknownPathWrongMethodHeadOptionsAllGet404NotFound) {
  for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/nope"},
           {"DELETE", "/api/v1/projects/" + fresh_uuid() + "/settings"},
           {"PUT", "/api/v1/events"},
           {"GET", "/api/v1/events"},
           {"HEAD", "/api/v1/projects/" + fresh_uuid() + "/storage"},
           {"OPTIONS", "/api/v1/events"},
           {"get", "/api/v1/projects/" + fresh_uuid() + "/storage"},
           {"POST", "/api/v1/events/"}}) {
    auto raw = twin.raw(method + " " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(raw) << method << " " << target;
    EXPECT_EQ(raw->substr(0, 22), "HTTP/1.1 404 Not Found") << method << " " << target;
    EXPECT_TRUE(raw->size() >= 9 && raw->substr(raw->size() - 13) == "\r\n\r\nNot Found")
        << method << " " << *raw;
  }
}

TEST_F(TwinWire, ParamRoutesIgnoreEmptySegments) {
  std::string p = fresh_uuid();
  for (const auto& target : {"/api/v1/projects/" + p + "/storage/", "//api/v1//projects/" + p + "/storage"}) {
    auto r = twin.get(target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << target;
    EXPECT_EQ(r->body, "{\"event_count\":0,\"estimated_bytes\":0}");
  }
}

TEST_F(TwinWire, AuthHeaderIsLowercaseCaseSensitiveAndRaw) {
  auto t = seed_tenant();
  auto send = [&](const std::string& name, const std::string& value) {
    auto r = twin.call("POST", "/api/v1/events", "{\"message\":\"x\"}", {{name, value}});
    return r ? r->status : 0;
  };
  EXPECT_EQ(send("X-Sentry-Auth", t.key), 401);
  EXPECT_EQ(send("Authorization", t.key), 401);
  EXPECT_EQ(send("x-sentry-auth", "Sentry sentry_key=" + t.key), 401);
  EXPECT_EQ(send("authorization", "Bearer " + t.key), 401);
  EXPECT_EQ(send("x-sentry-auth", t.key), 400);  // authenticated; snapshot ingestion fails (F-14)
  EXPECT_EQ(send("authorization", t.key), 400);
}

TEST_F(TwinWire, OversizedHeaderSectionGetsNoResponseAndAParseError) {
  std::string big = "GET /api/v1/nope HTTP/1.1\r\nx-big: " + std::string(9000, 'a') + "\r\n\r\n";
  auto raw = twin.raw(big);
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "");
  EXPECT_TRUE(twin.proc().wait_for_line(test::stream::err,
                                        "[mesh-rt] HTTP parse error: header section exceeds 8KB limit", 2s));

  std::string many = "GET /api/v1/nope HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "h" + std::to_string(i) + ": v\r\n";
  raw = twin.raw(many + "\r\n");
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "");
  EXPECT_TRUE(twin.proc().wait_for_line(test::stream::err,
                                        "[mesh-rt] HTTP parse error: too many headers (max 100)", 2s));
}

TEST_F(TwinWire, ConnectAndCloseLogsEmptyMalformedRequestLine) {
  auto raw = twin.raw_half_close("");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(twin.proc().wait_for_line(
      test::stream::err,
      [](const std::string& l) { return l == "[mesh-rt] HTTP parse error: malformed request line: "; }, 2s));
}

TEST_F(TwinWire, ShortBodyIsAReadError) {
  auto raw = twin.raw_half_close("POST /api/v1/events HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "");
  EXPECT_TRUE(twin.proc().wait_for_line(
      test::stream::err, "[mesh-rt] HTTP parse error: read body: failed to fill whole buffer", 2s));
}

TEST_F(TwinWire, QueryAndPathAreNotPercentDecoded) {
  auto t = seed_tenant();
  // A cursor sent with %20 reaches SQL verbatim → 22007.
  auto r =
      twin.get("/api/v1/projects/" + t.project + "/issues?cursor=yesterday%20noon&cursor_id=" + t.issue_a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body,
            "{\"error\":\"22007\t\t\t\tinvalid input syntax for type timestamp with time zone: "
            "\"yesterday%20noon\"\"}");
  r = twin.get("/api/v1/projects/" + t.project +
               "/issues?cursor=2026-01-01T10:00:00+00&cursor_id=" + t.issue_a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(TwinWire, BulkAndSearchUnderEventsGoToEventDetail) {
  for (std::string id : {"bulk", "search"}) {
    auto r = twin.get("/api/v1/events/" + id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(r->body, "{\"error\":\"22P02\t\t\t\tinvalid input syntax for type uuid: \"" + id + "\"\"}");
  }
}

TEST_F(TwinWire, ContentLengthBeyondIsizeIsACaughtPanic) {
  auto raw = twin.raw("POST /api/v1/events HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n{}");
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "");
  EXPECT_TRUE(
      twin.proc().wait_for_line(test::stream::err, "[mesh-rt] HTTP handler panicked: Any { .. }", 2s));
  auto err = twin.proc().lines(test::stream::err);
  EXPECT_TRUE(std::find(err.begin(), err.end(), "capacity overflow") != err.end());
  EXPECT_FALSE(twin.proc().wait_exit(0ms));
}

TEST_F(TwinWire, UnallocatableContentLengthAborts) {
  twin.raw("POST /api/v1/events HTTP/1.1\r\nContent-Length: 100000000000000\r\n\r\n{}", 1s);
  auto status = twin.proc().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGABRT);
  EXPECT_EQ(twin.proc().lines(test::stream::err).back(), "memory allocation of 100000000000000 bytes failed");
}

TEST_F(TwinWire, ListensOnIpv4Only) {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(twin.http_port());
  addr.sin6_addr = in6addr_loopback;
  EXPECT_NE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
}

}  // namespace
}  // namespace meshwatch::twin_test

#include <gtest/gtest.h>

#include "config/address.hpp"

namespace meshwatch {
namespace {

TEST(parse_http_url, accepts_base_urls) {
  const parsed<base_url> a = parse_http_url("http://127.0.0.1:8080");
  ASSERT_TRUE(a) << a.error;
  EXPECT_EQ(a.value->scheme, "http");
  EXPECT_EQ(a.value->host, "127.0.0.1");
  EXPECT_EQ(a.value->port, 8080);
  EXPECT_FALSE(a.value->tls());

  const parsed<base_url> b = parse_http_url("https://mesher.example.org/");
  ASSERT_TRUE(b) << b.error;
  EXPECT_EQ(b.value->port, 443);
  EXPECT_TRUE(b.value->tls());
  EXPECT_EQ(b.value->text(), "https://mesher.example.org:443");

  const parsed<base_url> c = parse_http_url("http://[::1]:8080");
  ASSERT_TRUE(c) << c.error;
  EXPECT_EQ(c.value->host, "::1");
  EXPECT_EQ(c.value->text(), "http://[::1]:8080");

  EXPECT_EQ(parse_http_url("http://localhost").value->port, 80);
}

TEST(parse_ws_url, accepts_ws_and_wss_only) {
  EXPECT_EQ(parse_ws_url("ws://127.0.0.1:8081").value->port, 8081);
  EXPECT_EQ(parse_ws_url("wss://h").value->port, 443);
  EXPECT_EQ(parse_ws_url("http://h").error, "must start with ws:// or wss://");
  EXPECT_EQ(parse_http_url("ws://h").error, "must start with http:// or https://");
}

TEST(parse_http_url, rejects_with_a_reason) {
  EXPECT_EQ(parse_http_url("127.0.0.1:8080").error, "must start with http:// or https://");
  EXPECT_EQ(parse_http_url("HTTP://h").error, "must start with http:// or https://");
  EXPECT_EQ(parse_http_url("http://").error, "missing host");
  EXPECT_EQ(parse_http_url("http://:80").error, "missing host");
  EXPECT_EQ(parse_http_url("http://h:0").error, "port 0 is out of range (1-65535)");
  EXPECT_EQ(parse_http_url("http://h:65536").error, "port 65536 is out of range (1-65535)");
  EXPECT_EQ(parse_http_url("http://h:").error, "port '' is not a number");
  EXPECT_EQ(parse_http_url("http://h:80x").error, "port '80x' is not a number");
  EXPECT_EQ(parse_http_url("http://h/api").error,
            "must not have a path, query or fragment ('/api'); probe paths are relative to it");
  EXPECT_EQ(parse_http_url("http://h?x=1").error,
            "must not have a path, query or fragment ('?x=1'); probe paths are relative to it");
  EXPECT_EQ(parse_http_url("http://u:p@h").error, "must not contain user info ('@')");
  EXPECT_EQ(parse_http_url("http://a b").error, "invalid character ' ' in host 'a b'");
  EXPECT_EQ(parse_http_url("http://[::1").error, "missing ']' after IPv6 address");
  EXPECT_EQ(parse_http_url("http://[zz]").error, "invalid IPv6 address 'zz'");
  EXPECT_EQ(parse_http_url("http://[::1]x").error, "unexpected 'x' after host");
}

TEST(parse_listen_address, requires_a_port_and_allows_zero) {
  const parsed<listen_address> a = parse_listen_address("127.0.0.1:9847");
  ASSERT_TRUE(a) << a.error;
  EXPECT_EQ(a.value->host, "127.0.0.1");
  EXPECT_EQ(a.value->port, 9847);
  EXPECT_EQ(parse_listen_address("[::1]:0").value->text(), "[::1]:0");
  EXPECT_EQ(parse_listen_address("localhost:1").value->port, 1);
  EXPECT_EQ(parse_listen_address("127.0.0.1").error, "missing port (write host:port, e.g. 127.0.0.1:9847)");
  EXPECT_EQ(parse_listen_address(":9847").error, "missing host");
  EXPECT_EQ(parse_listen_address("h:99999").error, "port 99999 is out of range (0-65535)");
  EXPECT_EQ(parse_listen_address("http://h:1").error, "port '//h:1' is not a number");
}

}  // namespace
}  // namespace meshwatch

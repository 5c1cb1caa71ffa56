#pragma once
// Blocking HTTP for tests, with a hard overall timeout. Beast stays out of this header.
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace meshwatch::test {

struct http_response {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct http_request {
  std::string method = "GET";
  std::string target = "/";
  std::map<std::string, std::string> headers;  // sent exactly as spelled (case kept)
  std::string body;
};

/** nullopt on connect failure, timeout or a malformed response. */
std::optional<http_response> http_call(const std::string& host, unsigned short port,
                                       const http_request& request,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

std::optional<http_response> http_get(const std::string& host, unsigned short port, const std::string& target,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

/**
 * Writes `bytes` as they are and returns everything the server sent until it closed the
 * connection (or nullopt on connect failure / timeout). For wire-quirk tests.
 */
std::optional<std::string> raw_exchange(const std::string& host, unsigned short port,
                                        const std::string& bytes,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace meshwatch::test

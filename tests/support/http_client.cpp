#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>

namespace meshwatch::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint endpoint_of(const std::string& host, unsigned short port) {
  return {asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host), port};
}

}  // namespace

std::optional<http_response> http_call(const std::string& host, unsigned short port,
                                       const http_request& request, std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  std::optional<http_response> result;

  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, host + ":" + std::to_string(port));
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  req.body() = request.body;
  if (!request.body.empty() || request.method == "POST") req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);

  stream.expires_after(timeout);
  stream.async_connect(endpoint_of(host, port), [&](beast::error_code ec) {
    if (ec) return;
    http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
      if (ec2) return;
      http::async_read(stream, buffer, parser, [&](beast::error_code ec3, std::size_t) {
        if (ec3) return;
        auto& res = parser.get();
        http_response out;
        out.status = static_cast<int>(res.result_int());
        out.reason = std::string(res.reason());
        for (const auto& field : res) {
          std::string name(field.name_string());
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          out.headers[name] = std::string(field.value());
        }
        out.body = std::move(res.body());
        result = std::move(out);
      });
    });
  });
  io.run();
  return result;
}

std::optional<http_response> http_get(const std::string& host, unsigned short port, const std::string& target,
                                      std::chrono::milliseconds timeout) {
  http_request request;
  request.target = target;
  return http_call(host, port, request, timeout);
}

std::optional<std::string> raw_exchange(const std::string& host, unsigned short port,
                                        const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  std::optional<std::string> result;
  std::string received;
  std::array<char, 4096> chunk{};

  std::function<void()> read_more;
  read_more = [&] {
    stream.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) {
        result = received;
        return;
      }
      if (ec) return;  // includes the timeout
      if (received.size() > 64 * 1024 * 1024) return;
      read_more();
    });
  };

  stream.expires_after(timeout);
  stream.async_connect(endpoint_of(host, port), [&](beast::error_code ec) {
    if (ec) return;
    asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code ec2, std::size_t) {
      if (ec2) return;
      read_more();
    });
  });
  io.run();
  return result;
}

}  // namespace meshwatch::test

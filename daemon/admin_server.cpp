#include "daemon/admin_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <system_error>

#include "daemon/admin_auth.hpp"
#include "daemon/build_info.hpp"
#include "daemon/token_bucket.hpp"

namespace meshwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct admin_server::impl {
  impl(asio::io_context& io, admin_server_options o)
      : options(std::move(o)),
        acceptor(io),
        routes(options.bearer_token),
        rate(options.max_requests_per_second, options.request_burst, std::chrono::steady_clock::now()) {}

  admin_server_options options;
  tcp::acceptor acceptor;
  admin_routes routes;
  token_bucket rate;  // over all connections
  std::chrono::steady_clock::time_point last_rate_warning{};
  // Open connections, so stop() can close them; sessions remove themselves.
  std::list<std::weak_ptr<beast::tcp_stream>> connections;
  bool stopped = false;
};

namespace {

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

constexpr std::string_view text_plain = "text/plain; charset=utf-8";

std::string_view allow_header(admin_method method) {
  return method == admin_method::get ? "GET, HEAD" : "POST";
}

response make_response(const request& req, admin_response out) {
  response res{static_cast<http::status>(out.status), req.version()};
  res.set(http::field::server, "meshwatch/" + std::string(build_version()));
  res.set(http::field::content_type, out.content_type);
  res.set(http::field::cache_control, "no-store");
  // insert, not set: a 401 carries two WWW-Authenticate challenges.
  for (const auto& [name, value] : out.headers) {
    res.insert(name, value);
  }
  res.keep_alive(req.keep_alive());
  auto length = out.body.size();
  res.body() = req.method() == http::verb::head ? std::string() : std::move(out.body);
  res.prepare_payload();
  if (req.method() == http::verb::head) {
    res.content_length(length);
  }
  return res;
}

}  // namespace

admin_routes::admin_routes(std::optional<std::string> bearer_token)
    : bearer_token_(std::move(bearer_token)) {}

void admin_routes::add(admin_method method, std::string path, admin_handler h) {
  routes_[std::move(path)] = route{method, std::move(h)};
}

admin_response admin_routes::dispatch(std::string_view method, std::string_view target,
                                      std::string_view authorization) const {
  std::string_view path = target.substr(0, target.find('?'));
  if (bearer_token_ && !admin_authorized(authorization, *bearer_token_)) {
    return {401, std::string(text_plain), "unauthorized\n", admin_auth_challenges()};
  }
  auto found = routes_.find(path);
  if (found == routes_.end()) {
    return {404, std::string(text_plain), "not found\n", {}};
  }
  const route& r = found->second;
  bool allowed = r.method == admin_method::get ? method == "GET" || method == "HEAD" : method == "POST";
  if (!allowed) {
    return {405,
            std::string(text_plain),
            "method not allowed\n",
            {{"Allow", std::string(allow_header(r.method))}}};
  }
  try {
    return r.handler();
  } catch (const std::exception& e) {
    spdlog::error("admin: handler for {} failed: {}", path, e.what());
    return {500, std::string(text_plain), "internal error\n", {}};
  }
}

namespace {

response route_request(admin_server::impl& server, const request& req) {
  const auto now = std::chrono::steady_clock::now();
  if (!server.rate.try_take(now)) {
    if (now - server.last_rate_warning > std::chrono::seconds(10)) {
      server.last_rate_warning = now;
      spdlog::warn("admin: over {} requests/s, answering 429", server.options.max_requests_per_second);
    }
    return make_response(req, {429, std::string(text_plain), "too many requests\n", {{"Retry-After", "1"}}});
  }
  return make_response(
      req, server.routes.dispatch(req.method_string(), req.target(), req[http::field::authorization]));
}

asio::awaitable<void> serve_connection(std::shared_ptr<admin_server::impl> server,
                                       std::shared_ptr<beast::tcp_stream> stream) {
  beast::flat_buffer buffer(server->options.max_header_bytes + server->options.max_body_bytes);
  for (std::size_t served = 0; served < server->options.max_requests_per_connection; ++served) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(server->options.max_header_bytes));
    parser.body_limit(server->options.max_body_bytes);
    stream->expires_after(server->options.request_timeout);
    auto [read_error, read_bytes] =
        co_await http::async_read(*stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error == http::error::header_limit || read_error == http::error::body_limit) {
      request bare;
      bare.version(11);
      bare.keep_alive(false);
      int status = read_error == http::error::header_limit ? 431 : 413;
      auto res = make_response(bare, {status, std::string(text_plain), "request too large\n", {}});
      stream->expires_after(server->options.write_timeout);
      co_await http::async_write(*stream, res, asio::as_tuple(asio::use_awaitable));
      break;
    }
    if (read_error) {
      break;  // end of stream, timeout, garbage: just drop the connection
    }
    auto res = route_request(*server, parser.get());
    // The last request we are willing to serve on this connection says so.
    if (served + 1 == server->options.max_requests_per_connection) {
      res.keep_alive(false);
    }
    stream->expires_after(server->options.write_timeout);
    auto [write_error, written] =
        co_await http::async_write(*stream, res, asio::as_tuple(asio::use_awaitable));
    if (write_error || !res.keep_alive()) {
      break;
    }
  }
  beast::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream->close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<admin_server::impl> server) {
  while (!server->stopped) {
    auto [ec, socket] = co_await server->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (server->stopped || ec == asio::error::operation_aborted) {
        co_return;
      }
      spdlog::warn("admin: accept failed: {}", ec.message());
      continue;  // e.g. EMFILE: the next accept is the retry
    }
    server->connections.remove_if([](const auto& w) { return w.expired(); });
    if (server->connections.size() >= server->options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over the bound: refuse rather than queue
      continue;
    }
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    server->connections.push_back(stream);
    asio::co_spawn(server->acceptor.get_executor(), serve_connection(server, stream), asio::detached);
  }
}

}  // namespace

admin_server::admin_server(asio::io_context& io, admin_server_options options)
    : impl_(std::make_shared<impl>(io, std::move(options))) {}

admin_server::~admin_server() { stop(); }

void admin_server::add_route(std::string path, handler h) {
  impl_->routes.add(admin_method::get, std::move(path), std::move(h));
}

void admin_server::add_post_route(std::string path, handler h) {
  impl_->routes.add(admin_method::post, std::move(path), std::move(h));
}

unsigned short admin_server::listen() {
  // Errors are rethrown as std::system_error so callers need no Boost headers.
  auto fail = [&](const beast::error_code& ec, const std::string& what) {
    throw std::system_error(static_cast<std::error_code>(ec), what);
  };
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) fail(ec, "admin listen address '" + impl_->options.host + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (ec) fail(ec, "socket");
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) fail(ec, "SO_REUSEADDR");
  impl_->acceptor.bind(endpoint, ec);
  if (ec) fail(ec, "bind");
  impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "listen");
  return impl_->acceptor.local_endpoint().port();
}

void admin_server::start() {
  impl_->stopped = false;
  asio::co_spawn(impl_->acceptor.get_executor(), accept_loop(impl_), asio::detached);
}

void admin_server::stop() {
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& weak : impl_->connections) {
    if (auto stream = weak.lock()) {
      stream->socket().close(ignored);
    }
  }
  impl_->connections.clear();
}

}  // namespace meshwatch

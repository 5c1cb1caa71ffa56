#include "daemon/process/localhost_order.hpp"

#include <algorithm>
#include <atomic>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace meshwatch {
namespace asio = boost::asio;

namespace {

// True from the start of a lookup until asio's resolver thread has finished it (whether or not
// anyone still waits for it). Process-wide: asio runs lookups one after another anyway.
std::atomic<bool> lookup_running{false};

struct lookup {
  explicit lookup(const asio::any_io_executor& executor) : resolver(executor), timer(executor) {}
  asio::ip::tcp::resolver resolver;
  asio::steady_timer timer;
  std::function<void(std::string)> done;
  bool answered = false;

  void answer(std::string text) {
    if (answered) {
      return;
    }
    answered = true;
    done(std::move(text));
  }
};

}  // namespace

std::string format_address_order(const std::vector<std::string>& addresses, std::size_t max_addresses) {
  std::vector<std::string> seen;
  std::string text;
  for (const auto& address : addresses) {
    if (seen.size() >= max_addresses) {
      text += ",…";
      break;
    }
    if (std::find(seen.begin(), seen.end(), address) != seen.end()) {
      continue;
    }
    seen.push_back(address);
    if (!text.empty()) {
      text += ',';
    }
    text += address;
  }
  return text;
}

void resolve_localhost_order(const asio::any_io_executor& executor, std::chrono::milliseconds timeout,
                             std::function<void(std::string)> done) {
  if (lookup_running.exchange(true)) {
    asio::post(executor, [done = std::move(done)] { done("(lookup still running)"); });
    return;
  }
  auto l = std::make_shared<lookup>(executor);
  l->done = std::move(done);
  l->timer.expires_after(timeout);
  l->timer.async_wait([l](const boost::system::error_code& ec) {
    if (!ec) {
      // Cancelling only stops a lookup that has not begun; a running getaddrinfo ends on its own.
      l->resolver.cancel();
      l->answer("(timeout)");
    }
  });
  l->resolver.async_resolve(
      "localhost", "", asio::ip::tcp::resolver::flags(),
      [l](const boost::system::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
        lookup_running = false;
        l->timer.cancel();
        if (ec) {
          l->answer("(error: " + ec.message() + ")");
          return;
        }
        std::vector<std::string> addresses;
        for (const auto& entry : results) {
          addresses.push_back(entry.endpoint().address().to_string());
        }
        l->answer(format_address_order(addresses));
      });
}

}  // namespace meshwatch

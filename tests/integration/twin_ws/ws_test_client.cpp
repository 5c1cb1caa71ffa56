#include "tests/integration/twin_ws/ws_test_client.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>

namespace meshwatch::test {
namespace asio = boost::asio;

void line_log::add(std::string line) {
  {
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
  }
  changed_.notify_all();
}

bool line_log::wait_for_line(const std::string& line, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [&] { return std::find(lines_.begin(), lines_.end(), line) != lines_.end(); });
}

std::size_t line_log::count(const std::string& line) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count(lines_.begin(), lines_.end(), line));
}

std::vector<std::string> line_log::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

twin_ws_harness::twin_ws_harness(std::function<std::string(const std::string&)> ingest) {
  twin::ws_hooks hooks;
  hooks.on_ingest_frame = std::move(ingest);
  hooks.console_out = [this](std::string line) { out.add(std::move(line)); };
  hooks.console_err = [this](std::string line) { err.add(std::move(line)); };
  server_ = std::make_unique<twin::ws_server>(io_, std::move(hooks));
  port_ = server_->listen(0);
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
}

twin_ws_harness::~twin_ws_harness() {
  server_->stop();
  io_.stop();
  thread_.join();
  server_.reset();
}

bool twin_ws_harness::wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (server_->connection_count() != n) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(5ms);  // polling interval, not synchronisation
  }
  return true;
}

std::uint16_t ws_frame::close_code() const {
  if (payload.size() < 2) {
    return 0;
  }
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                    static_cast<std::uint8_t>(payload[1]));
}

std::string ws_frame::close_reason() const { return payload.size() > 2 ? payload.substr(2) : std::string(); }

std::string client_frame(std::uint8_t opcode, const std::string& payload, bool fin, bool mask) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | opcode));
  const std::uint8_t mask_bit = mask ? 0x80 : 0x00;
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) {
      out.push_back(static_cast<char>((n >> (i * 8)) & 0xFF));
    }
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (mask) {
    out.append(key, 4);
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(mask ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
  }
  return out;
}

std::string client_close(std::uint16_t code, const std::string& reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  return client_frame(0x8, payload + reason);
}

std::string upgrade_request(const std::string& target, const std::string& extra_headers) {
  return "GET " + target +
         " HTTP/1.1\r\n"
         "Host: 127.0.0.1\r\n"
         "Upgrade: websocket\r\n"
         "Connection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n" +
         extra_headers + "\r\n";
}

bool raw_ws_client::connect(unsigned short port) {
  socket_.emplace(*io_);
  boost::system::error_code ec;
  socket_->connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

std::string raw_ws_client::upgrade(const std::string& target, const std::string& extra_headers) {
  return upgrade_raw(upgrade_request(target, extra_headers));
}

std::string raw_ws_client::upgrade_raw(const std::string& request) {
  if (!send(request)) {
    return "";
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (buffered_.find("\r\n\r\n") == std::string::npos) {
    status failure = status::error;
    if (!fill_more(deadline, failure)) {
      return "";
    }
  }
  const auto end = buffered_.find("\r\n\r\n") + 4;
  std::string head = buffered_.substr(0, end);
  buffered_.erase(0, end);
  return head;
}

bool raw_ws_client::send(const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(*socket_, asio::buffer(bytes), ec);
  return !ec;
}

// One read into `buffered_`, bounded by the deadline.
bool raw_ws_client::fill_more(std::chrono::steady_clock::time_point deadline, status& failure) {
  std::array<char, 65536> chunk{};
  boost::system::error_code result = asio::error::would_block;
  std::size_t got = 0;
  socket_->async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t bytes) {
    result = ec;
    got = bytes;
  });
  io_->restart();
  io_->run_until(deadline);
  if (result == asio::error::would_block) {
    socket_->cancel();
    io_->restart();
    io_->run();
    failure = status::timeout;
    return false;
  }
  buffered_.append(chunk.data(), got);
  if (result) {
    failure = result == asio::error::eof ? status::eof : status::error;
    return false;
  }
  return true;
}

// Moves the next n bytes to `out`, reading as needed before the deadline.
bool raw_ws_client::read_exact(std::string& out, std::size_t n,
                               std::chrono::steady_clock::time_point deadline, status& failure) {
  while (buffered_.size() < n) {
    if (!fill_more(deadline, failure)) {
      return false;
    }
  }
  out = buffered_.substr(0, n);
  buffered_.erase(0, n);
  return true;
}

raw_ws_client::result raw_ws_client::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  result r;
  std::string head;
  if (!read_exact(head, 2, deadline, r.what)) {
    return r;
  }
  r.frame.fin = (head[0] & 0x80) != 0;
  r.frame.opcode = static_cast<std::uint8_t>(head[0] & 0x0F);
  std::uint64_t length = static_cast<std::uint8_t>(head[1]) & 0x7F;
  std::string ext;
  if (length == 126 || length == 127) {
    const std::size_t ext_len = length == 126 ? 2 : 8;
    if (!read_exact(ext, ext_len, deadline, r.what)) {
      return r;
    }
    length = 0;
    for (char c : ext) {
      length = (length << 8) | static_cast<std::uint8_t>(c);
    }
  }
  if (!read_exact(r.frame.payload, static_cast<std::size_t>(length), deadline, r.what)) {
    return r;
  }
  r.what = status::frame;
  return r;
}

raw_ws_client::result raw_ws_client::read_non_ping(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto r = read_frame(std::max(left, 1ms));
    if (r.what == status::frame && r.frame.opcode == 0x9) {
      ++pings_;
      continue;
    }
    return r;
  }
}

void raw_ws_client::close() {
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
}

}  // namespace meshwatch::test

#include "tests/integration/probes/gate_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "tests/integration/probes/loopback_listener.hpp"

namespace meshwatch::test {

gate_server::gate_server(std::size_t gate, std::function<gate_reply(std::size_t)> reply_for,
                         std::chrono::milliseconds hold_limit)
    : gate_(gate), reply_for_(std::move(reply_for)), hold_limit_(hold_limit) {
  const loopback_listener listener = listen_on_loopback(64);
  listen_fd_ = listener.fd;
  port_ = listener.port;
  acceptor_ = std::thread([this] { accept_loop(); });
}

gate_server::~gate_server() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  for (std::thread& t : handlers_) {
    t.join();
  }
  close(listen_fd_);
}

std::size_t gate_server::max_open() const {
  std::lock_guard lock(mutex_);
  return max_open_;
}

std::size_t gate_server::requests() const {
  std::lock_guard lock(mutex_);
  return arrived_;
}

void gate_server::accept_loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return;
      }
    }
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0) {
      continue;
    }
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      handlers_.emplace_back([this, fd] { handle(fd); });
    }
  }
}

void gate_server::handle(int fd) {
  // The request head (bounded); the probes under test send no body with GET.
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    pollfd rfd{fd, POLLIN, 0};
    if (poll(&rfd, 1, 2000) <= 0) {
      break;
    }
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      break;
    }
    head.append(buf, static_cast<std::size_t>(n));
  }
  gate_reply reply;
  {
    std::unique_lock lock(mutex_);
    const std::size_t index = arrived_++;
    ++open_;
    max_open_ = std::max(max_open_, open_);
    changed_.notify_all();
    changed_.wait_for(lock, hold_limit_, [&] { return stopping_ || arrived_ >= gate_; });
    reply = reply_for_(index);
    if (reply.hang) {
      changed_.wait(lock, [&] { return stopping_; });
    } else {
      changed_.wait_for(lock, reply.delay, [&] { return stopping_; });
    }
    --open_;
  }
  if (!reply.hang) {
    (void)!write(fd, reply.bytes.data(), reply.bytes.size());
  }
  close(fd);
}

}  // namespace meshwatch::test

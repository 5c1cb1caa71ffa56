#include "tests/integration/probes/scripted_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "tests/integration/probes/loopback_listener.hpp"

namespace meshwatch::test {

scripted_server::scripted_server(scripted_reply reply) : reply_(std::move(reply)) {
  const loopback_listener listener = listen_on_loopback(16);
  listen_fd_ = listener.fd;
  port_ = listener.port;
  thread_ = std::thread([this] { serve(); });
}

scripted_server::~scripted_server() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
}

std::string scripted_server::last_request() const {
  std::lock_guard lock(mutex_);
  return last_request_;
}

void scripted_server::serve() {
  std::vector<int> held;
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    // Read the request head (bounded), then answer as scripted.
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      pollfd rfd{fd, POLLIN, 0};
      if (poll(&rfd, 1, 2000) <= 0) break;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard lock(mutex_);
      last_request_ = head;
    }
    if (reply_.hang) {
      held.push_back(fd);  // closed when the server is destroyed
      continue;
    }
    auto deadline = std::chrono::steady_clock::now() + reply_.delay;
    while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
      poll(nullptr, 0, 5);  // scripted latency, checked against stopping_
    }
    (void)!write(fd, reply_.bytes.data(), reply_.bytes.size());
    std::string chunk(65536, 'x');
    for (std::size_t sent = 0; sent < reply_.repeat_body_bytes && !stopping_;) {
      auto n = write(fd, chunk.data(), std::min(chunk.size(), reply_.repeat_body_bytes - sent));
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    close(fd);
  }
  for (int fd : held) close(fd);
}

}  // namespace meshwatch::test

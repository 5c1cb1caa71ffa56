#pragma once
// The listening socket of the in-process test servers: 127.0.0.1, a free port chosen by the
// kernel, close-on-exec.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdexcept>

namespace meshwatch::test {

struct loopback_listener {
  int fd = -1;
  unsigned short port = 0;
};

/** Throws std::runtime_error when the socket cannot be bound (the test cannot run). */
inline loopback_listener listen_on_loopback(int backlog) {
  loopback_listener l;
  l.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (l.fd < 0 || bind(l.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(l.fd, backlog) != 0) {
    throw std::runtime_error("test server: bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof addr;
  getsockname(l.fd, reinterpret_cast<sockaddr*>(&addr), &len);
  l.port = ntohs(addr.sin_port);
  return l;
}

}  // namespace meshwatch::test

#include "daemon/process/sock_diag.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

namespace meshwatch {
namespace {

class netlink_socket {
 public:
  netlink_socket() : fd_(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) {
    if (fd_ >= 0) {
      timeval timeout{1, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
  }
  ~netlink_socket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  netlink_socket(const netlink_socket&) = delete;
  netlink_socket& operator=(const netlink_socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

/** One family's dump into `out`; false on any error (then the whole answer is discarded). */
bool dump_family(const netlink_socket& sock, unsigned char family, int state, std::uint32_t seq,
                 std::size_t max_rows, sock_diag_rows& out) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = seq;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1U << static_cast<unsigned>(state);  // the kernel filters
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(sock.fd(), &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
      0) {
    return false;
  }
  alignas(nlmsghdr) std::array<char, 32 * 1024> buffer{};
  // A dump ends with NLMSG_DONE; the bound on receives keeps a misbehaving peer from looping us.
  for (int receives = 0; receives < 100'000; ++receives) {
    const ssize_t got = ::recv(sock.fd(), buffer.data(), buffer.size(), 0);
    if (got <= 0) {
      return false;  // timeout or error
    }
    auto remaining = static_cast<int>(got);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, remaining);
         h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_seq != seq) {
        continue;
      }
      if (h->nlmsg_type == NLMSG_DONE) {
        return true;
      }
      if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
        return false;
      }
      if (out.rows.size() >= max_rows) {
        out.truncated = true;  // keep draining to DONE: the socket is closed right after anyway
        continue;
      }
      const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      tcp_socket_row row;
      row.local_port = ntohs(m->id.idiag_sport);
      row.state = m->idiag_state;
      row.inode = m->idiag_inode;
      out.rows.push_back(row);
    }
  }
  return false;
}

}  // namespace

std::optional<sock_diag_rows> tcp_sockets_in_state(int state, std::size_t max_rows) {
  netlink_socket sock;
  if (sock.fd() < 0) {
    return std::nullopt;
  }
  sock_diag_rows out;
  std::uint32_t seq = 1;
  for (unsigned char family : {static_cast<unsigned char>(AF_INET), static_cast<unsigned char>(AF_INET6)}) {
    if (!dump_family(sock, family, state, seq++, max_rows, out)) {
      return std::nullopt;
    }
  }
  return out;
}

bool shares_network_namespace(int pid) {
  struct stat own {};
  struct stat theirs {};
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  return ::stat("/proc/self/ns/net", &own) == 0 && ::stat(path.c_str(), &theirs) == 0 &&
         own.st_dev == theirs.st_dev && own.st_ino == theirs.st_ino;
}

}  // namespace meshwatch

#include "daemon/process/tcp_socket_table.hpp"
#include "daemon/process/sock_diag.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace meshwatch {
namespace {

// Rows as the kernel prints them (captured from a Linux 6.x host, inodes edited).
const std::string tcp4_table =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1001 1 "
    "0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:1F90 0100007F:C350 08 00000000:00000001 00:00000000 00000000  1000        0 1002 1 "
    "0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:1F91 0100007F:C351 08 00000000:00000000 00:00000000 00000000  1000        0 1003 1 "
    "0000000000000000 20 4 30 10 -1\n"
    "   3: 0100007F:C350 0100007F:1F90 04 00000000:00000000 00:00000000 00000000  1000        0 0 3 "
    "0000000000000000 20 4 30 10 -1\n"
    "   4: 0100007F:1F90 0100007F:C352 08 00000000:00000000 00:00000000 00000000  1000        0 0 1 "
    "0000000000000000 20 4 30 10 -1\n"
    "   5: 0100007F:1F90 0100007F:C353 08 00000000:00000000 00:00000000 00000000  1000        0 9999 1 "
    "0000000000000000 20 4 30 10 -1\n";

const std::string tcp6_table =
    "  sl  local_address                         remote_address                        st tx_queue "
    "rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:1F91 00000000000000000000000001000000:D431 08 "
    "00000000:00000000 00:00000000 00000000  1000        0 2001 1 0000000000000000 20 4 30 10 -1\n"
    "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D432 08 "
    "00000000:00000000 00:00000000 00000000  1000        0 2002 1 0000000000000000 20 4 30 10 -1\n";

TEST(tcp_socket_table, parses_ipv4_and_ipv6_rows) {
  auto row = parse_tcp_socket_row(
      "   1: 0100007F:1F90 0100007F:C350 08 00000000:00000001 00:00000000 00000000  1000        0 1002 1 "
      "0000000000000000 20 4 30 10 -1");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->local_port, 8080);
  EXPECT_EQ(row->state, tcp_state_close_wait);
  EXPECT_EQ(row->inode, 1002u);
  auto row6 = parse_tcp_socket_row(tcp6_table.substr(tcp6_table.find("   0:"), tcp6_table.find("\n   1:")));
  ASSERT_TRUE(row6);
  EXPECT_EQ(row6->local_port, 8081);
  EXPECT_EQ(row6->state, 8);
  EXPECT_EQ(row6->inode, 2001u);
}

TEST(tcp_socket_table, rejects_header_and_garbage) {
  EXPECT_FALSE(parse_tcp_socket_row(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
  EXPECT_FALSE(parse_tcp_socket_row(""));
  EXPECT_FALSE(parse_tcp_socket_row("garbage"));
  EXPECT_FALSE(parse_tcp_socket_row("   1: 0100007F:1F90"));  // cut short
  EXPECT_FALSE(parse_tcp_socket_row("   1: 0100007G:1F90 0100007F:C350 08 0:0 0:0 0 1000 0 5 1"));  // not hex
  EXPECT_FALSE(parse_tcp_socket_row("   1: 0100007F:1F9 0100007F:C350 08 0:0 0:0 0 1000 0 5 1"));   // port
  EXPECT_FALSE(parse_tcp_socket_row("   1: 100007F:1F90 0100007F:C350 08 0:0 0:0 0 1000 0 5 1"));   // address
  EXPECT_FALSE(parse_tcp_socket_row("   1: 0100007F:1F90 0100007F:C350 zz 0:0 0:0 0 1000 0 5 1"));  // state
  EXPECT_FALSE(parse_tcp_socket_row("   1: 0100007F:1F90 0100007F:C350 08 0:0 0:0 0 1000 0 x5 1"));  // inode
}

TEST(tcp_socket_table, counts_only_owned_close_wait_on_listener_ports) {
  std::vector<tcp_listener> listeners{{"http", 8080}, {"ws", 8081}};
  // 9999 belongs to another process on the same port; inode 0 is still in the accept queue.
  std::unordered_set<std::uint64_t> owned{1001, 1002, 1003, 2001, 2002};
  close_wait_count count;
  count.per_listener.assign(2, 0);
  count_close_wait(tcp4_table + "garbage line\n\n" + tcp6_table, listeners, owned, 1000, count);
  EXPECT_EQ(count.per_listener[0], 2);  // 1002 and the v4-mapped 2002 (1001 listens, 9999 not ours)
  EXPECT_EQ(count.per_listener[1], 2);  // 1003 and 2001
  EXPECT_FALSE(count.truncated);
}

TEST(tcp_socket_table, stops_at_the_row_bound) {
  std::vector<tcp_listener> listeners{{"http", 8080}};
  std::unordered_set<std::uint64_t> owned{1002, 2002};
  close_wait_count count;
  count.per_listener.assign(1, 0);
  count_close_wait(tcp4_table, listeners, owned, 2, count);  // header and row 0 only
  EXPECT_EQ(count.per_listener[0], 0);
  EXPECT_TRUE(count.truncated);
}

/** Socket inodes of this process, as the fd walk of the sampler collects them. */
std::unordered_set<std::uint64_t> own_socket_inodes() {
  std::unordered_set<std::uint64_t> inodes;
  DIR* dir = ::opendir("/proc/self/fd");
  while (dirent* entry = ::readdir(dir)) {
    char link[64];
    auto n = ::readlinkat(::dirfd(dir), entry->d_name, link, sizeof link - 1);
    if (n > 0) {
      link[n] = '\0';
      unsigned long long inode = 0;
      if (std::sscanf(link, "socket:[%llu]", &inode) == 1) {
        inodes.insert(inode);
      }
    }
  }
  ::closedir(dir);
  return inodes;
}

/** A listening socket on an ephemeral loopback port; `addr` receives its address. */
int loopback_listener(sockaddr_in& addr) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 64) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot listen on loopback";
  }
  return listener;
}

TEST(tcp_socket_table, counts_a_real_close_wait_socket_of_this_process) {
  sockaddr_in addr{};
  int listener = loopback_listener(addr);
  const auto port = ntohs(addr.sin_port);
  std::vector<tcp_listener> listeners{{"http", port}};

  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // Still in the accept queue: no fd of ours, so not counted even once the peer closes.
  ::close(client);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(count_process_close_wait(::getpid(), listeners, own_socket_inodes()).per_listener[0], 0);

  client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  int first = ::accept(listener, nullptr, nullptr);   // the one closed above
  int second = ::accept(listener, nullptr, nullptr);  // this one
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  EXPECT_EQ(count_process_close_wait(::getpid(), listeners, own_socket_inodes()).per_listener[0], 1);
  ::shutdown(client, SHUT_WR);  // the peer is done; `second` now waits for us to close
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(count_process_close_wait(::getpid(), listeners, own_socket_inodes()).per_listener[0], 2);
  ::close(first);
  ::close(second);
  EXPECT_EQ(count_process_close_wait(::getpid(), listeners, own_socket_inodes()).per_listener[0], 0);
  ::close(client);
  ::close(listener);
}

// The netlink answer is exact: 40 sockets of ours in CLOSE_WAIT are 40, however many other
// sockets on the host come and go meanwhile (the /proc text can skip rows then).
TEST(sock_diag, lists_every_close_wait_socket_with_its_port_and_inode) {
  ASSERT_TRUE(shares_network_namespace(::getpid()));
  sockaddr_in addr{};
  int listener = loopback_listener(addr);
  const auto port = ntohs(addr.sin_port);
  constexpr int n = 40;
  std::vector<int> clients, accepted;
  for (int i = 0; i < n; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    clients.push_back(c);
    accepted.push_back(::accept(listener, nullptr, nullptr));
    ASSERT_GE(accepted.back(), 0);
  }
  for (int c : clients) ::shutdown(c, SHUT_WR);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto diag = tcp_sockets_in_state(tcp_state_close_wait, 100'000);
  ASSERT_TRUE(diag);
  std::unordered_set<std::uint64_t> ours;
  for (int a : accepted) {
    struct stat st {};
    ASSERT_EQ(::fstat(a, &st), 0);
    ours.insert(st.st_ino);
  }
  std::size_t found = 0;
  for (const auto& row : diag->rows) {
    EXPECT_EQ(row.state, tcp_state_close_wait);
    found += row.local_port == port && ours.contains(row.inode);
  }
  EXPECT_EQ(found, static_cast<std::size_t>(n));
  EXPECT_EQ(count_process_close_wait(::getpid(), {{"http", port}}, own_socket_inodes()).per_listener[0], n);
  // The bound holds.
  auto capped = tcp_sockets_in_state(tcp_state_close_wait, 5);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->rows.size(), 5u);
  EXPECT_TRUE(capped->truncated);
  for (int fd : accepted) ::close(fd);
  for (int fd : clients) ::close(fd);
  ::close(listener);
}

}  // namespace
}  // namespace meshwatch

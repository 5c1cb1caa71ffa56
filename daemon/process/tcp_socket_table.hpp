#pragma once
// CLOSE_WAIT sockets of the watched process on its listening ports (FAILURES.md D10, F-17/F-25):
// connections the peer closed that Mesher never closed — one leaked fd, thread and actor each.
// Read from /proc/<pid>/net/tcp and tcp6 (the process's own network namespace) and counted only
// when the socket's inode is one of the process's fds, so another process's sockets on the same
// port never count.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace meshwatch {

/** One row of /proc/net/tcp or tcp6, the fields the count needs. */
struct tcp_socket_row {
  std::uint16_t local_port = 0;
  int state = 0;  // kernel TCP state: 0x08 is CLOSE_WAIT
  std::uint64_t inode = 0;
};

constexpr int tcp_state_close_wait = 0x08;

/** nullopt for the header and any line that is not a well-formed row (IPv4 or IPv6). */
std::optional<tcp_socket_row> parse_tcp_socket_row(std::string_view line);

/** A port to count on and the bounded label it is reported under ("http", "ws"). */
struct tcp_listener {
  std::string name;
  std::uint16_t port = 0;
};

struct close_wait_count {
  std::vector<std::int64_t> per_listener;  // same order as the listeners
  std::size_t rows = 0;                    // rows looked at
  bool truncated = false;                  // stopped at the row bound
};

/** Counts `row` under its listener if it is a CLOSE_WAIT socket of the process (inode in `owned`). */
void count_owned_row(const tcp_socket_row& row, const std::vector<tcp_listener>& listeners,
                     const std::unordered_set<std::uint64_t>& owned, close_wait_count& count);

/**
 * Adds the CLOSE_WAIT rows of one table text whose local port is a listener's and whose inode is
 * in `owned` to `count` (sized by the caller), looking at no more than `max_rows` rows in all.
 */
void count_close_wait(std::string_view table_text, const std::vector<tcp_listener>& listeners,
                      const std::unordered_set<std::uint64_t>& owned, std::size_t max_rows,
                      close_wait_count& count);

struct tcp_table_limits {
  std::size_t max_bytes_per_table = 8 * 1024 * 1024;  // ~55k rows of 150 bytes
  std::size_t max_rows = 100'000;                     // both tables together
};

/**
 * Counts the process's CLOSE_WAIT sockets: through NETLINK_SOCK_DIAG (exact) when the process
 * shares meshwatch's network namespace, else from /proc/<pid>/net/tcp and tcp6 (bounded).
 */
close_wait_count count_process_close_wait(pid_t pid, const std::vector<tcp_listener>& listeners,
                                          const std::unordered_set<std::uint64_t>& owned,
                                          const tcp_table_limits& limits = {});

}  // namespace meshwatch

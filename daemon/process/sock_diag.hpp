#pragma once
// The kernel's own answer to "which TCP sockets are in CLOSE_WAIT" (NETLINK_SOCK_DIAG, what
// `ss` uses): the kernel filters by state and sends whole records, so the list is exact. The
// text of /proc/<pid>/net/tcp is handed out a page at a time and can skip or repeat rows while
// other sockets on the host come and go between two reads.
#include <cstddef>
#include <optional>
#include <vector>

#include "daemon/process/tcp_socket_table.hpp"

namespace meshwatch {

/**
 * IPv4 and IPv6 TCP sockets in `state` (a kernel TCP state, e.g. tcp_state_close_wait) of
 * meshwatch's own network namespace, at most `max_rows` (then `truncated`). nullopt when netlink
 * is unavailable or answers garbage (the caller falls back to /proc). Each receive waits at
 * most 1 s.
 */
struct sock_diag_rows {
  std::vector<tcp_socket_row> rows;
  bool truncated = false;
};
std::optional<sock_diag_rows> tcp_sockets_in_state(int state, std::size_t max_rows);

/** Whether process `pid` lives in meshwatch's network namespace (false when unknown). */
bool shares_network_namespace(int pid);

}  // namespace meshwatch

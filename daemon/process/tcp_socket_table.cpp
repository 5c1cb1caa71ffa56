#include "daemon/process/tcp_socket_table.hpp"

#include "daemon/process/sock_diag.hpp"

#include <charconv>
#include <fstream>

namespace meshwatch {
namespace {

/** The next space-separated field of `rest` (leading spaces skipped), consumed from it. */
std::string_view next_field(std::string_view& rest) {
  auto start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  auto end = rest.find(' ', start);
  auto field = rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return field;
}

template <typename T>
bool parse_number(std::string_view text, int base, T& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return !text.empty() && ec == std::errc() && p == text.data() + text.size();
}

bool is_hex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

}  // namespace

std::optional<tcp_socket_row> parse_tcp_socket_row(std::string_view line) {
  // "  0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 12345 ..."
  // tcp6 has 32 hex digits of address instead of 8. Fields: sl, local, remote, st, tx:rx,
  // tr:when, retrnsmt, uid, timeout, inode.
  std::string_view rest = line;
  auto slot = next_field(rest);
  if (slot.size() < 2 || slot.back() != ':') {
    return std::nullopt;  // the header ("sl") or garbage
  }
  auto local = next_field(rest);
  auto colon = local.find(':');
  if (colon == std::string_view::npos || (colon != 8 && colon != 32) || !is_hex(local.substr(0, colon))) {
    return std::nullopt;
  }
  tcp_socket_row row;
  auto port_text = local.substr(colon + 1);
  if (port_text.size() != 4 || !parse_number(port_text, 16, row.local_port)) {
    return std::nullopt;
  }
  next_field(rest);  // remote address
  if (!parse_number(next_field(rest), 16, row.state)) {
    return std::nullopt;
  }
  for (int skipped = 0; skipped < 5; ++skipped) {  // tx:rx, tr:when, retrnsmt, uid, timeout
    if (next_field(rest).empty()) {
      return std::nullopt;
    }
  }
  if (!parse_number(next_field(rest), 10, row.inode)) {
    return std::nullopt;
  }
  return row;
}

void count_owned_row(const tcp_socket_row& row, const std::vector<tcp_listener>& listeners,
                     const std::unordered_set<std::uint64_t>& owned, close_wait_count& count) {
  // Inode 0: a connection still in the accept queue, not yet any process's fd.
  if (row.state != tcp_state_close_wait || row.inode == 0 || !owned.contains(row.inode)) {
    return;
  }
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    if (listeners[i].port == row.local_port) {
      ++count.per_listener[i];
    }
  }
}

void count_close_wait(std::string_view table_text, const std::vector<tcp_listener>& listeners,
                      const std::unordered_set<std::uint64_t>& owned, std::size_t max_rows,
                      close_wait_count& count) {
  std::size_t pos = 0;
  while (pos < table_text.size()) {
    if (count.rows >= max_rows) {
      count.truncated = true;
      return;
    }
    auto end = table_text.find('\n', pos);
    auto line = table_text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? table_text.size() : end + 1;
    ++count.rows;
    if (auto row = parse_tcp_socket_row(line)) {
      count_owned_row(*row, listeners, owned, count);
    }
  }
}

close_wait_count count_process_close_wait(pid_t pid, const std::vector<tcp_listener>& listeners,
                                          const std::unordered_set<std::uint64_t>& owned,
                                          const tcp_table_limits& limits) {
  close_wait_count count;
  count.per_listener.assign(listeners.size(), 0);
  if (listeners.empty() || owned.empty()) {
    return count;  // no sockets of its own: nothing can be in CLOSE_WAIT
  }
  // Exact when Mesher shares our network namespace (the usual case); /proc text otherwise.
  if (shares_network_namespace(pid)) {
    if (auto diag = tcp_sockets_in_state(tcp_state_close_wait, limits.max_rows)) {
      count.rows = diag->rows.size();
      count.truncated = diag->truncated;
      for (const auto& row : diag->rows) {
        count_owned_row(row, listeners, owned, count);
      }
      return count;
    }
  }
  const std::string base = "/proc/" + std::to_string(pid) + "/net/";
  std::vector<char> chunk(64 * 1024);
  std::string pending;  // the unfinished last line of the previous chunk
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream in(base + table, std::ios::binary);
    if (!in) {
      continue;  // no IPv6 in that namespace, or the process is gone
    }
    // Chunk by chunk, whole lines only: a big host's table never sits in memory at once.
    pending.clear();
    std::size_t read_bytes = 0;
    while (in && read_bytes < limits.max_bytes_per_table && !count.truncated) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      auto got = static_cast<std::size_t>(in.gcount());
      read_bytes += got;
      pending.append(chunk.data(), got);
      auto last_newline = pending.rfind('\n');
      if (last_newline == std::string::npos) {
        if (pending.size() > chunk.size()) {
          pending.clear();  // no row is that long: garbage
        }
        continue;
      }
      count_close_wait(std::string_view(pending).substr(0, last_newline + 1), listeners, owned,
                       limits.max_rows, count);
      pending.erase(0, last_newline + 1);
    }
    if (read_bytes >= limits.max_bytes_per_table && in) {
      count.truncated = true;  // a lower bound: the rest of the table was not read
    } else if (!pending.empty()) {
      count_close_wait(pending, listeners, owned, limits.max_rows, count);
    }
  }
  return count;
}

}  // namespace meshwatch

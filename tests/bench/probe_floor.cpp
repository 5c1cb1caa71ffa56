// The latency floor for an HTTP probe: the same GET on a new connection per request, timed from
// socket() to EOF, paced like the probers (a benchmark helper, not part of meshwatch).
//   probe_floor PORT PATH COUNT INTERVAL_MS
// One JSON object on stdout: count, failures, mean/p50/p99 in microseconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

bool one_get(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
  char buf[4096];
  std::size_t got = 0;
  while (ok) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      ok = n == 0 && got > 0;
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: probe_floor PORT PATH COUNT INTERVAL_MS\n";
    return 2;
  }
  const int port = std::stoi(argv[1]);
  const std::string request =
      std::string("GET ") + argv[2] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  const int count = std::min(std::stoi(argv[3]), 100'000);
  const auto interval = std::chrono::milliseconds(std::stoi(argv[4]));
  std::vector<double> us;
  int failures = 0;
  auto next = clock_type::now();
  for (int i = 0; i < count; ++i) {
    const auto t0 = clock_type::now();
    if (one_get(port, request)) {
      us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
    } else {
      ++failures;
    }
    next += interval;
    std::this_thread::sleep_until(next);
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us.empty() ? 0.0 : us[static_cast<std::size_t>(p * static_cast<double>(us.size() - 1))];
  };
  const double mean =
      us.empty() ? 0.0 : std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  std::printf("{\"count\":%zu,\"failures\":%d,\"mean_us\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n", us.size(),
              failures, mean, pct(0.5), pct(0.99));
  return 0;
}

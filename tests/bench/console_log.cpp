#include "tests/bench/console_log.hpp"

#include <array>
#include <string_view>

namespace meshwatch::bench {
namespace {

// splitmix64: small, seeded, the same sequence on every machine.
std::uint64_t next(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

}  // namespace

std::string panic_block(std::uint64_t tid) {
  const std::string t = std::to_string(tid);
  return "\n"
         "thread '<unnamed>' (" +
         t +
         ") panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
         "Mesh panic at <unknown>:0: non-exhaustive match in switch\n"
         "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
         "\n"
         "thread '<unnamed>' (" +
         t +
         ") panicked at library/core/src/panicking.rs:225:5:\n"
         "panic in a function that cannot unwind\n"
         "stack backtrace:\n"
         "   0:     0x5581d2c3e0aa - std::backtrace_rs::backtrace::libunwind::trace\n"
         "   1:     0x5581d2c1b2d3 - core::panicking::panic_nounwind_fmt\n"
         "   2:     0x5581d2c1b3e1 - core::panicking::panic_cannot_unwind\n"
         "thread caused non-unwinding panic. aborting.\n";
}

std::vector<std::string> generate_console_log(std::size_t count, std::uint64_t seed) {
  std::uint64_t s = seed;
  std::vector<std::string> lines;
  lines.reserve(count);
  static constexpr std::array<std::string_view, 6> parse_reasons{
      "malformed request line: ",
      "read request line: Connection reset by peer (os error 104)",
      "read header: Resource temporarily unavailable (os error 11)",
      "header section exceeds 8KB limit",
      "read body: failed to fill whole buffer",
      "malformed request line: GET /x HTTP/1.1 garbage"};
  while (lines.size() < count) {
    const std::uint64_t r = next(s) % 10'000;
    if (r == 0) {  // ~1 block per 10k lines, like the anchor log
      std::string block = panic_block(1000 + (next(s) % 60'000));
      std::size_t start = 0;
      while (start < block.size()) {
        const std::size_t nl = block.find('\n', start);
        lines.push_back(block.substr(start, nl - start));
        start = nl + 1;
      }
      continue;
    }
    const std::uint64_t n = next(s) % 1000;
    if (r < 4000) {
      lines.push_back("[Mesher] Load monitor: " + std::to_string(n) + " events/5s, 0 peers");
    } else if (r < 6500) {
      lines.push_back("[mesh-rt] HTTP parse error: " + std::string(parse_reasons[n % parse_reasons.size()]));
    } else if (r < 8000) {
      lines.push_back("[Mesher] Health check: all services responsive");
    } else if (r < 8900) {
      lines.push_back("[WS] Connection closed: 1000");
    } else if (r < 9200) {
      lines.push_back("[mesh-rt] accept error: Too many open files (os error 24)");
    } else if (r < 9500) {
      lines.push_back("[Mesher] Alert evaluator: checked rules, 0 fired");
    } else if (r < 9700) {
      lines.push_back("[mesh-rt] WS upgrade failed: missing or invalid Upgrade header");
    } else if (r < 9850) {
      lines.push_back("[Mesher] Alert evaluator error: connection refused");
    } else {
      lines.push_back("[StorageWriter] Dropping batch of 50 events for project default after 3 retries");
    }
  }
  lines.resize(count);
  return lines;
}

}  // namespace meshwatch::bench

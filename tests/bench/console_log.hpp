#pragma once
// A deterministic Mesher console log (RUNTIME.md §4–§5 texts, panic blocks mixed in), so the
// console watcher and mtail classify exactly the same bytes.
#include <cstdint>
#include <string>
#include <vector>

namespace meshwatch::bench {

/** One complete non-unwinding panic block (RUNTIME.md §5.5), newline-terminated lines. */
std::string panic_block(std::uint64_t tid);

/** `count` lines (a panic block counts as its lines), seeded. */
std::vector<std::string> generate_console_log(std::size_t count, std::uint64_t seed);

}  // namespace meshwatch::bench

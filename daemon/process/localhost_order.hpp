#pragma once
// What `localhost` resolves to, in order (FAILURES.md D13, F-32): Mesher's PostgreSQL driver
// connects to the first address only, so `::1` first while PostgreSQL listens on IPv4 only
// is a silent exit 0 at every start. Resolved like Rust's std does (SOCK_STREAM, no flags —
// AI_ADDRCONFIG could hide ::1), off the loop and bounded in time.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace meshwatch {

/** Addresses joined with ',' in order, duplicates dropped, at most `max_addresses`. */
std::string format_address_order(const std::vector<std::string>& addresses, std::size_t max_addresses = 8);

/**
 * Resolves `localhost` on asio's resolver thread and calls `done` on `executor` with the
 * address order, or with "(timeout)" / "(error: …)" after at most `timeout`. A lookup that is
 * still running from an earlier call is not started again (`done` gets "(lookup still running)"),
 * so a hung resolver never piles up lookups.
 */
void resolve_localhost_order(const boost::asio::any_io_executor& executor, std::chrono::milliseconds timeout,
                             std::function<void(std::string)> done);

}  // namespace meshwatch

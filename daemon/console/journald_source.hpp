#pragma once
// Reads Mesher's console from the systemd journal, filtered by unit (_SYSTEMD_UNIT=). The
// journal's wakeup fd is awaited on the loop; a poll timer covers journals whose changes the fd
// does not signal (explicit journal files). journald merges stdout and stderr.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

struct journald_options {
  std::string unit;  // e.g. mesher.service
  /** Read these journal files instead of the local system journal (tests, exported journals). */
  std::vector<std::string> files;
  /** Start with the entries already in the journal (true) or only new ones (false). */
  bool from_beginning = false;
  std::size_t max_entries_per_wakeup = 1000;
  std::size_t max_message_bytes = 64 * 1024;
  std::chrono::milliseconds poll_interval{1000};
};

class journald_source {
 public:
  /** One journal entry's MESSAGE (any bytes) and journald's receipt time. */
  using entry_handler =
      std::function<void(std::string_view message, std::chrono::system_clock::time_point at)>;

  journald_source(boost::asio::io_context& io, journald_options options, entry_handler on_entry);
  ~journald_source();
  journald_source(const journald_source&) = delete;
  journald_source& operator=(const journald_source&) = delete;

  /** Opens the journal and starts following. Returns an error text when it cannot be opened. */
  std::string start();
  void stop();

  struct state;  // public name so the .cpp's coroutines can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

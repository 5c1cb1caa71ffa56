#pragma once
// Mesher's console, end to end: sources (a followed file, journald, a child's pipes) → bounded
// lines → classification and panic-block grouping → `on_event` for the incident correlator,
// heartbeat ages and the console metrics. Everything runs on the caller's io_context thread.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/console/console_classifier.hpp"
#include "daemon/console/console_event.hpp"
#include "daemon/console/console_line.hpp"
#include "daemon/console/file_follower.hpp"
#include "daemon/console/heartbeat_tracker.hpp"
#include "daemon/console/journald_source.hpp"
#include "daemon/console/line_splitter.hpp"
#include "daemon/console/panic_assembler.hpp"
#include "daemon/console/pipe_reader.hpp"

namespace boost::asio {
class io_context;
}
namespace prometheus {
class Registry;
}

namespace meshwatch {

struct console_watcher_options {
  std::string target;
  std::size_t max_line_bytes = line_splitter::default_max_line_bytes;
  /** A panic block with no new line for this long is complete (keep well under 100 ms). */
  std::chrono::milliseconds panic_quiet = panic_assembler::default_quiet;
  std::vector<user_pattern> user_patterns;
  /** How often the heartbeat-age gauges are refreshed. */
  std::chrono::milliseconds heartbeat_refresh{1000};
};

class console_watcher {
 public:
  /** Called on the loop thread for every event; must not block. */
  using event_handler = std::function<void(const console_event&)>;
  /** Optional: every line as received (e.g. the incident's "last lines before the exit"). */
  using line_handler = std::function<void(const console_line&)>;

  /** Throws std::invalid_argument if a user pattern does not compile. */
  console_watcher(boost::asio::io_context& io, prometheus::Registry& registry,
                  console_watcher_options options, event_handler on_event);
  ~console_watcher();
  console_watcher(const console_watcher&) = delete;
  console_watcher& operator=(const console_watcher&) = delete;

  void set_line_handler(line_handler on_line);

  /** tail -F the file (merged stream). */
  void follow_file(file_follower_options options);
  /** Follow the unit in the journal (merged stream). Returns an error text, empty on success. */
  std::string follow_journald(journald_options options);
  /** Drain a child's pipes (ownership of the fds passes here; -1 skips one). */
  void attach_pipes(int stdout_fd, int stderr_fd, pipe_reader_options options = {});
  /** Bytes from any other source. */
  void feed(console_stream stream, std::string_view bytes);

  /** Mesher (re)started: heartbeat ages count from now. */
  void process_started();
  /** Mesher exited: partial lines and an open panic block are reported now. */
  void process_exited();
  /** Stops every source; pending partial lines and blocks are reported first. */
  void stop();

  const heartbeat_tracker& heartbeats() const;
  bool inotify_active() const;

  struct state;  // public name so the .cpp's handlers can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

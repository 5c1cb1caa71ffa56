#pragma once
// Follows a console file like `tail -F`: survives rename + create, copytruncate, delete +
// recreate, and a file that does not exist yet. inotify (a directory watch for create/move/
// delete and a watch on the open file for writes) wakes the loop at once; a poll timer is the
// fallback when inotify is unavailable and the safety net for anything it cannot see.
// Reads per wakeup are bounded so a huge backlog never starves the rest of the loop.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace meshwatch {

struct file_follower_options {
  std::string path;
  /** First open: read the existing content (true) or start at the end, like tail (false). */
  bool from_beginning = false;
  std::chrono::milliseconds poll_interval{1000};
  bool use_inotify = true;
  std::size_t max_bytes_per_wakeup = 1024 * 1024;
};

enum class file_change : std::uint8_t {
  opened,     // the file appeared (or was there at start) and is now followed
  renamed,    // the path names a new file; the old one was renamed away (drained first)
  recreated,  // the old file was deleted and a new one created at the path
  truncated,  // copytruncate: the file shrank below what was read; reading restarts at 0
  deleted,    // the path is gone; the old file is kept open until a new one appears
};
std::string_view to_string(file_change c);

class file_follower {
 public:
  using data_handler = std::function<void(std::string_view bytes)>;
  using change_handler = std::function<void(file_change change)>;

  file_follower(boost::asio::io_context& io, file_follower_options options, data_handler on_data,
                change_handler on_change);
  ~file_follower();
  file_follower(const file_follower&) = delete;
  file_follower& operator=(const file_follower&) = delete;

  void start();
  void stop();
  /** inotify is watching (false: polling only). */
  bool inotify_active() const;

  struct state;  // public name so the .cpp's coroutines can take it; defined there only

 private:
  std::shared_ptr<state> state_;
};

}  // namespace meshwatch

#include "daemon/console/file_follower.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/console/wakeable_poll.hpp"

namespace meshwatch {
namespace asio = boost::asio;

std::string_view to_string(file_change c) {
  switch (c) {
    case file_change::opened: return "opened";
    case file_change::renamed: return "renamed";
    case file_change::recreated: return "recreated";
    case file_change::truncated: return "truncated";
    case file_change::deleted: return "deleted";
  }
  return "opened";
}

struct file_follower::state {
  explicit state(asio::io_context& io) : io(io), poll(io) {}
  ~state() { close_file(); }

  void close_file() {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }

  asio::io_context& io;
  file_follower_options options;
  data_handler on_data;
  change_handler on_change;
  std::string dir;
  std::string base;

  wakeable_poll poll;  // woken by inotify; the poll interval is the fallback
  std::optional<asio::posix::stream_descriptor> inotify;
  int dir_wd = -1;
  int file_wd = -1;
  bool stopped = true;

  int fd = -1;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t offset = 0;
  bool ever_opened = false;
  bool checked_once = false;
  bool missing_at_start = false;  // a file that appears later is read from its beginning
  bool reported_deleted = false;
  std::vector<char> buf = std::vector<char>(64 * 1024);
};

namespace {

using state = file_follower::state;

void notify(state& s, file_change c) {
  if (s.on_change) {
    s.on_change(c);
  }
}

void watch_directory(state& s) {
  if (!s.inotify || s.dir_wd >= 0) {
    return;
  }
  // A missing directory is retried on every poll tick.
  s.dir_wd = ::inotify_add_watch(s.inotify->native_handle(), s.dir.c_str(),
                                 IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_MODIFY);
}

void watch_open_file(state& s) {
  if (!s.inotify) {
    return;
  }
  if (s.file_wd >= 0) {
    ::inotify_rm_watch(s.inotify->native_handle(), s.file_wd);
    s.file_wd = -1;
  }
  // Watching by /proc/self/fd follows the inode we hold even after it is renamed elsewhere.
  std::string self = "/proc/self/fd/" + std::to_string(s.fd);
  s.file_wd = ::inotify_add_watch(s.inotify->native_handle(), self.c_str(),
                                  IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF);
}

// Reads from the open file at the current offset; returns the bytes read (≤ budget).
std::size_t drain(state& s, std::size_t budget) {
  std::size_t total = 0;
  while (s.fd >= 0 && total < budget) {
    std::size_t want = std::min(s.buf.size(), budget - total);
    ssize_t n = ::pread(s.fd, s.buf.data(), want, s.offset);
    if (n <= 0) {
      break;
    }
    s.offset += n;
    total += static_cast<std::size_t>(n);
    if (s.on_data) {
      s.on_data(std::string_view(s.buf.data(), static_cast<std::size_t>(n)));
    }
  }
  return total;
}

bool open_path(state& s, bool from_start) {
  int fd = ::open(s.options.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  s.close_file();
  s.fd = fd;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.offset = from_start ? 0 : st.st_size;
  s.reported_deleted = false;
  s.ever_opened = true;
  watch_open_file(s);
  return true;
}

// One bounded step of tail -F. Returns true when more work is known to be pending.
bool check(state& s) {
  std::size_t budget = s.options.max_bytes_per_wakeup;
  struct stat st {};
  bool old_deleted = false;
  if (s.fd >= 0 && ::fstat(s.fd, &st) == 0) {
    old_deleted = st.st_nlink == 0;
    if (st.st_size < s.offset) {
      s.offset = 0;
      notify(s, file_change::truncated);
    }
    std::size_t n = drain(s, budget);
    if (n >= budget) {
      return true;
    }
    budget -= n;
  }

  struct stat path_st {};
  bool exists = ::stat(s.options.path.c_str(), &path_st) == 0;
  if (!s.checked_once) {
    s.checked_once = true;
    s.missing_at_start = !exists;
  }
  if (s.fd < 0) {
    if (exists && open_path(s, s.ever_opened || s.options.from_beginning || s.missing_at_start)) {
      notify(s, file_change::opened);
      return true;
    }
    return false;
  }
  if (!exists) {
    if (old_deleted && !s.reported_deleted) {
      s.reported_deleted = true;
      notify(s, file_change::deleted);
    }
    return false;  // keep the old file: its writer may still append until a new file appears
  }
  if (path_st.st_dev != s.dev || path_st.st_ino != s.ino) {
    // The path names another file now. Whatever the writer appended to the old one before it
    // switched is read first, then the new file is followed from its beginning.
    drain(s, std::max<std::size_t>(budget, 4 * 1024 * 1024));
    auto change = old_deleted ? file_change::recreated : file_change::renamed;
    if (open_path(s, true)) {
      notify(s, change);
    }
    return true;
  }
  return false;
}

bool relevant(const state& s, const char* data, std::size_t size) {
  std::size_t pos = 0;
  while (pos + sizeof(inotify_event) <= size) {
    // Copied out, not cast: the read buffer lives in a coroutine frame, where g++ 12 does not
    // honour alignas (UBSan: misaligned inotify_event).
    inotify_event ev{};
    std::memcpy(&ev, data + pos, sizeof ev);
    if (ev.wd == s.file_wd || (ev.mask & IN_Q_OVERFLOW) != 0) {
      return true;
    }
    if (ev.wd == s.dir_wd && ev.len > 0 && pos + sizeof ev + ev.len <= size) {
      // The name is NUL-padded to len bytes.
      std::string_view name(data + pos + sizeof ev, ev.len);
      name = name.substr(0, name.find('\0'));
      if (name == s.base) {
        return true;
      }
    }
    pos += sizeof(inotify_event) + ev.len;
  }
  return false;
}

asio::awaitable<void> watch_inotify(std::shared_ptr<state> s) {
  alignas(inotify_event) std::array<char, 8192> buf{};
  while (!s->stopped && s->inotify) {
    auto [ec, n] =
        co_await s->inotify->async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (s->stopped) {
      co_return;
    }
    if (ec) {
      spdlog::warn("console file {}: inotify read failed ({}), polling only", s->options.path, ec.message());
      co_return;
    }
    if (relevant(*s, buf.data(), n)) {
      s->poll.wake();
    }
  }
}

asio::awaitable<void> follow(std::shared_ptr<state> s) {
  // `s` outlives the loop: this frame holds it.
  std::function<bool()> step = [raw = s.get()] {
    try {
      watch_directory(*raw);
      return check(*raw);
    } catch (const std::exception& e) {
      // A bug in a handler must not end the follower; the poll interval acts as a backoff.
      spdlog::error("console file {}: {}", raw->options.path, e.what());
      return false;
    }
  };
  std::function<bool()> stopped = [raw = s.get()] { return raw->stopped; };
  const std::chrono::milliseconds interval = s->options.poll_interval;
  co_await s->poll.run(step, stopped, interval);
}

}  // namespace

file_follower::file_follower(asio::io_context& io, file_follower_options options, data_handler on_data,
                             change_handler on_change)
    : state_(std::make_shared<state>(io)) {
  auto slash = options.path.rfind('/');
  state_->dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : options.path.substr(0, slash));
  state_->base = slash == std::string::npos ? options.path : options.path.substr(slash + 1);
  state_->options = std::move(options);
  state_->on_data = std::move(on_data);
  state_->on_change = std::move(on_change);
}

file_follower::~file_follower() { stop(); }

void file_follower::start() {
  auto& s = *state_;
  if (!s.stopped) {
    return;
  }
  s.stopped = false;
  if (s.options.use_inotify && !s.inotify) {
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd >= 0) {
      s.inotify.emplace(s.io, fd);
    } else {
      spdlog::warn("console file {}: inotify unavailable ({}), polling every {} ms", s.options.path,
                   std::strerror(errno), s.options.poll_interval.count());
    }
  }
  if (s.inotify) {
    watch_directory(s);
    asio::co_spawn(s.io, watch_inotify(state_), asio::detached);
  }
  asio::co_spawn(s.io, follow(state_), asio::detached);
}

void file_follower::stop() {
  auto& s = *state_;
  if (s.stopped) {
    return;
  }
  s.stopped = true;
  s.poll.cancel();
  if (s.inotify) {
    boost::system::error_code ignored;
    s.inotify->close(ignored);
    s.inotify.reset();
    s.dir_wd = -1;
    s.file_wd = -1;
  }
  s.close_file();
}

bool file_follower::inotify_active() const { return state_->inotify.has_value(); }

}  // namespace meshwatch

#include "daemon/console/journald_source.hpp"

#include <systemd/sd-journal.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <functional>
#include <optional>

#include <spdlog/spdlog.h>

#include "daemon/console/wakeable_poll.hpp"

namespace meshwatch {
namespace asio = boost::asio;

struct journald_source::state {
  explicit state(asio::io_context& io) : io(io), poll(io) {}
  ~state() { close(); }

  void close() {
    if (fd_watch) {
      // sd-journal owns the fd: give it back before sd_journal_close closes it.
      boost::system::error_code ignored;
      fd_watch->cancel(ignored);
      fd_watch->release();
      fd_watch.reset();
    }
    if (journal != nullptr) {
      sd_journal_close(journal);
      journal = nullptr;
    }
  }

  asio::io_context& io;
  wakeable_poll poll;  // woken by the journal's fd; the poll interval is the fallback
  std::optional<asio::posix::stream_descriptor> fd_watch;
  journald_options options;
  entry_handler on_entry;
  sd_journal* journal = nullptr;
  bool stopped = true;
};

namespace {

using state = journald_source::state;

std::string errno_text(int r) { return std::strerror(r < 0 ? -r : r); }

// Hands over up to max_entries_per_wakeup new entries; true when more may be waiting.
bool read_entries(state& s) {
  for (std::size_t i = 0; i < s.options.max_entries_per_wakeup; ++i) {
    int r = sd_journal_next(s.journal);
    if (r <= 0) {
      if (r < 0) {
        spdlog::warn("journald {}: next entry failed: {}", s.options.unit, errno_text(r));
      }
      return false;
    }
    const void* data = nullptr;
    size_t len = 0;
    if (sd_journal_get_data(s.journal, "MESSAGE", &data, &len) < 0) {
      continue;  // an entry without a message (metadata only)
    }
    std::string_view field(static_cast<const char*>(data), len);
    constexpr std::string_view prefix = "MESSAGE=";
    if (field.substr(0, prefix.size()) == prefix) {
      field.remove_prefix(prefix.size());
    }
    std::uint64_t usec = 0;
    auto at = std::chrono::system_clock::now();
    if (sd_journal_get_realtime_usec(s.journal, &usec) >= 0) {
      at = std::chrono::system_clock::time_point(std::chrono::microseconds(usec));
    }
    if (s.on_entry) {
      s.on_entry(field, at);
    }
  }
  return true;
}

asio::awaitable<void> watch_fd(std::shared_ptr<state> s) {
  while (!s->stopped && s->fd_watch) {
    auto [ec] = co_await s->fd_watch->async_wait(asio::posix::descriptor_base::wait_read,
                                                 asio::as_tuple(asio::use_awaitable));
    if (ec || s->stopped) {
      co_return;
    }
    // Consumes the inotify events behind the fd, or it would stay readable.
    sd_journal_process(s->journal);
    s->poll.wake();
  }
}

asio::awaitable<void> follow(std::shared_ptr<state> s) {
  // `s` outlives the loop: this frame holds it.
  std::function<bool()> step = [raw = s.get()] {
    try {
      sd_journal_process(raw->journal);
      return read_entries(*raw);
    } catch (const std::exception& e) {
      spdlog::error("journald {}: {}", raw->options.unit, e.what());
      return false;
    }
  };
  std::function<bool()> stopped = [raw = s.get()] { return raw->stopped; };
  const std::chrono::milliseconds interval = s->options.poll_interval;
  co_await s->poll.run(step, stopped, interval);
}

}  // namespace

journald_source::journald_source(asio::io_context& io, journald_options options, entry_handler on_entry)
    : state_(std::make_shared<state>(io)) {
  state_->options = std::move(options);
  state_->on_entry = std::move(on_entry);
}

journald_source::~journald_source() { stop(); }

std::string journald_source::start() {
  auto& s = *state_;
  if (!s.stopped) {
    return {};
  }
  int r = 0;
  if (s.options.files.empty()) {
    r = sd_journal_open(&s.journal, SD_JOURNAL_LOCAL_ONLY);
  } else {
    std::vector<const char*> paths;
    for (const auto& f : s.options.files) {
      paths.push_back(f.c_str());
    }
    paths.push_back(nullptr);
    r = sd_journal_open_files(&s.journal, paths.data(), 0);
  }
  if (r < 0) {
    s.journal = nullptr;
    return "cannot open the journal: " + errno_text(r);
  }
  std::string match = "_SYSTEMD_UNIT=" + s.options.unit;
  r = sd_journal_add_match(s.journal, match.data(), match.size());
  if (r < 0) {
    s.close();
    return "cannot match " + match + ": " + errno_text(r);
  }
  sd_journal_set_data_threshold(s.journal, s.options.max_message_bytes);
  if (s.options.from_beginning) {
    r = sd_journal_seek_head(s.journal);
  } else {
    // Positioned on the last entry, so the first next() returns the first new one.
    r = sd_journal_seek_tail(s.journal);
    if (r >= 0) {
      sd_journal_previous(s.journal);
    }
  }
  if (r < 0) {
    s.close();
    return "cannot seek the journal: " + errno_text(r);
  }
  int fd = sd_journal_get_fd(s.journal);
  if (fd >= 0) {
    s.fd_watch.emplace(s.io, fd);
  } else {
    spdlog::warn("journald {}: no wakeup fd ({}), polling every {} ms", s.options.unit, errno_text(fd),
                 s.options.poll_interval.count());
  }
  s.stopped = false;
  if (s.fd_watch) {
    asio::co_spawn(s.io, watch_fd(state_), asio::detached);
  }
  asio::co_spawn(s.io, follow(state_), asio::detached);
  return {};
}

void journald_source::stop() {
  auto& s = *state_;
  if (s.stopped) {
    return;
  }
  s.stopped = true;
  s.poll.cancel();
  s.close();
}

}  // namespace meshwatch

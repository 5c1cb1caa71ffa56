#include "daemon/console/console_watcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include <spdlog/spdlog.h>

#include "daemon/console/console_metrics.hpp"

namespace meshwatch {
namespace asio = boost::asio;

namespace {

std::vector<std::string> user_kinds(const std::vector<user_pattern>& patterns) {
  std::vector<std::string> names;
  names.reserve(patterns.size());
  for (const auto& p : patterns) {
    names.push_back(p.name);
  }
  return names;
}

}  // namespace

struct console_watcher::state {
  state(asio::io_context& io, prometheus::Registry& registry, console_watcher_options opts)
      : io(io),
        options(std::move(opts)),
        metrics(registry, options.target, user_kinds(options.user_patterns)),
        classifier(options.user_patterns),
        assembler(options.panic_quiet),
        heartbeats(std::chrono::steady_clock::now()),
        panic_timer(io),
        heartbeat_timer(io) {}

  asio::io_context& io;
  console_watcher_options options;
  console_metrics metrics;
  console_classifier classifier;
  panic_assembler assembler;
  heartbeat_tracker heartbeats;
  event_handler on_event;
  line_handler on_line;

  std::optional<line_splitter> out;
  std::optional<line_splitter> err;
  std::optional<line_splitter> merged;

  std::vector<std::unique_ptr<file_follower>> files;
  std::vector<std::unique_ptr<journald_source>> journals;
  std::vector<std::unique_ptr<pipe_reader>> pipes;

  asio::steady_timer panic_timer;
  bool panic_timer_armed = false;
  asio::steady_timer heartbeat_timer;
  bool stopped = false;
};

namespace {

using state = console_watcher::state;

line_splitter& splitter(state& s, console_stream stream) {
  switch (stream) {
    case console_stream::out: return *s.out;
    case console_stream::err: return *s.err;
    case console_stream::merged: return *s.merged;
  }
  return *s.merged;
}

void emit(state& s, console_event ev) {
  ev.target = s.options.target;
  if (ev.kind == console_event_kind::user_match && !ev.pattern.empty()) {
    s.metrics.user_event(ev.pattern);
  } else {
    s.metrics.event(ev.kind);
  }
  if (ev.panic) {
    s.metrics.panic(ev.panic->kind, ev.time.wall);
  }
  if (!s.on_event) {
    return;
  }
  try {
    s.on_event(ev);
  } catch (const std::exception& e) {
    spdlog::error("console {}: event handler failed: {}", s.options.target, e.what());
  }
}

void arm_panic_timer(const std::shared_ptr<state>& s);

void on_panic_timer(const std::weak_ptr<state>& weak, boost::system::error_code ec) {
  auto s = weak.lock();
  if (!s) {
    return;
  }
  s->panic_timer_armed = false;
  if (ec || s->stopped) {
    return;
  }
  if (auto ev = s->assembler.expire(std::chrono::steady_clock::now())) {
    emit(*s, std::move(*ev));
  }
  arm_panic_timer(s);
}

void arm_panic_timer(const std::shared_ptr<state>& s) {
  // The deadline only moves later while a block grows, so one armed wait is enough: when it
  // fires early it re-arms for the current deadline.
  auto deadline = s->assembler.deadline();
  if (!deadline || s->panic_timer_armed || s->stopped) {
    return;
  }
  s->panic_timer_armed = true;
  s->panic_timer.expires_at(*deadline);
  std::weak_ptr<state> weak = s;
  s->panic_timer.async_wait([weak](boost::system::error_code ec) { on_panic_timer(weak, ec); });
}

void refresh_heartbeats(state& s) {
  auto now = std::chrono::steady_clock::now();
  for (auto h : all_heartbeats) {
    s.metrics.heartbeat_age(h, std::chrono::duration<double>(s.heartbeats.age(h, now)).count());
  }
}

void schedule_heartbeat_refresh(const std::shared_ptr<state>& s) {
  s->heartbeat_timer.expires_after(s->options.heartbeat_refresh);
  std::weak_ptr<state> weak = s;
  s->heartbeat_timer.async_wait([weak](boost::system::error_code ec) {
    auto locked = weak.lock();
    if (!locked || ec || locked->stopped) {
      return;
    }
    refresh_heartbeats(*locked);
    schedule_heartbeat_refresh(locked);
  });
}

void handle_line(const std::shared_ptr<state>& s, console_line line) {
  s->metrics.line(line.stream);
  if (line.truncated) {
    s->metrics.truncated_line();
  }
  if (s->on_line) {
    s->on_line(line);
  }
  classification c = s->classifier.classify(line.text, line.stream);
  if (c.beat) {
    s->heartbeats.seen(*c.beat, line.received.mono);
    s->metrics.heartbeat_age(*c.beat, 0.0);
  }
  auto r = s->assembler.feed(line, c);
  for (auto& ev : r.finished) {
    emit(*s, std::move(ev));
  }
  if (!r.consumed) {
    if (c.kind) {
      console_event ev;
      ev.kind = *c.kind;
      ev.severity = c.severity;
      ev.stream = line.stream;
      ev.time = line.received;
      ev.line = line.text;
      ev.detail = std::move(c.detail);
      ev.beat = c.beat;
      ev.truncated = line.truncated;
      emit(*s, std::move(ev));
    }
    if (const auto* user = s->classifier.match_user(line.text)) {
      console_event ev;
      ev.kind = user->kind;
      ev.severity = user->severity;
      ev.stream = line.stream;
      ev.time = line.received;
      ev.line = line.text;
      ev.pattern = user->name;
      ev.truncated = line.truncated;
      emit(*s, std::move(ev));
    }
  }
  arm_panic_timer(s);
}

void flush_all(const std::shared_ptr<state>& s) {
  auto now = console_time::now();
  for (auto* sp : {&*s->out, &*s->err, &*s->merged}) {
    sp->flush(now);
  }
  if (auto ev = s->assembler.flush()) {
    emit(*s, std::move(*ev));
  }
}

}  // namespace

console_watcher::console_watcher(asio::io_context& io, prometheus::Registry& registry,
                                 console_watcher_options options, event_handler on_event)
    : state_(std::make_shared<state>(io, registry, std::move(options))) {
  state_->on_event = std::move(on_event);
  std::weak_ptr<state> weak = state_;
  for (auto stream : {console_stream::out, console_stream::err, console_stream::merged}) {
    auto sink = [weak](console_line line) {
      if (auto s = weak.lock()) {
        handle_line(s, std::move(line));
      }
    };
    auto& slot = stream == console_stream::out   ? state_->out
                 : stream == console_stream::err ? state_->err
                                                 : state_->merged;
    slot.emplace(stream, state_->options.max_line_bytes, std::move(sink));
  }
  refresh_heartbeats(*state_);
  schedule_heartbeat_refresh(state_);
}

console_watcher::~console_watcher() { stop(); }

void console_watcher::set_line_handler(line_handler on_line) { state_->on_line = std::move(on_line); }

void console_watcher::follow_file(file_follower_options options) {
  std::weak_ptr<state> weak = state_;
  std::string path = options.path;
  auto on_data = [weak](std::string_view bytes) {
    if (auto s = weak.lock()) {
      s->merged->feed(bytes, console_time::now());
    }
  };
  auto on_change = [weak, path](file_change change) {
    auto s = weak.lock();
    if (!s) {
      return;
    }
    spdlog::info("console {}: {} {}", s->options.target, path, to_string(change));
    if (change == file_change::renamed || change == file_change::recreated ||
        change == file_change::truncated) {
      s->metrics.rotation();
      s->merged->flush(console_time::now());  // a partial line never continues in another file
    }
  };
  auto follower = std::make_unique<file_follower>(state_->io, std::move(options), std::move(on_data),
                                                  std::move(on_change));
  follower->start();
  state_->files.push_back(std::move(follower));
}

std::string console_watcher::follow_journald(journald_options options) {
  std::weak_ptr<state> weak = state_;
  auto on_entry = [weak](std::string_view message, std::chrono::system_clock::time_point at) {
    auto s = weak.lock();
    if (!s) {
      return;
    }
    // One entry is one line; its time is journald's receipt time.
    console_time t{at, std::chrono::steady_clock::now()};
    s->merged->feed(message, t);
    s->merged->feed("\n", t);
  };
  auto source = std::make_unique<journald_source>(state_->io, std::move(options), std::move(on_entry));
  std::string error = source->start();
  if (error.empty()) {
    state_->journals.push_back(std::move(source));
  }
  return error;
}

void console_watcher::attach_pipes(int stdout_fd, int stderr_fd, pipe_reader_options options) {
  std::weak_ptr<state> weak = state_;
  for (auto [fd, stream] :
       {std::pair{stdout_fd, console_stream::out}, std::pair{stderr_fd, console_stream::err}}) {
    if (fd < 0) {
      continue;
    }
    auto on_data = [weak, stream](std::string_view bytes) {
      if (auto s = weak.lock()) {
        splitter(*s, stream).feed(bytes, console_time::now());
      }
    };
    auto on_gap = [weak, stream](std::size_t bytes) {
      if (auto s = weak.lock()) {
        s->metrics.dropped_bytes(bytes);
        splitter(*s, stream).mark_gap(console_time::now());
      }
    };
    auto on_eof = [weak, stream] {
      auto s = weak.lock();
      if (!s) {
        return;
      }
      splitter(*s, stream).flush(console_time::now());
      if (stream == console_stream::err) {
        // The writer is gone: a panic block cannot grow any more (usually the abort itself).
        if (auto ev = s->assembler.flush()) {
          emit(*s, std::move(*ev));
        }
      }
    };
    auto reader = std::make_unique<pipe_reader>(state_->io, fd, options, std::move(on_data),
                                                std::move(on_gap), std::move(on_eof));
    reader->start();
    state_->pipes.push_back(std::move(reader));
  }
}

void console_watcher::feed(console_stream stream, std::string_view bytes) {
  splitter(*state_, stream).feed(bytes, console_time::now());
}

void console_watcher::process_started() {
  state_->heartbeats.reset(std::chrono::steady_clock::now());
  refresh_heartbeats(*state_);
}

void console_watcher::process_exited() { flush_all(state_); }

void console_watcher::stop() {
  auto& s = *state_;
  if (s.stopped) {
    return;
  }
  for (auto& f : s.files) {
    f->stop();
  }
  for (auto& j : s.journals) {
    j->stop();
  }
  for (auto& p : s.pipes) {
    p->stop();
  }
  flush_all(state_);
  s.stopped = true;
  s.panic_timer.cancel();
  s.heartbeat_timer.cancel();
}

const heartbeat_tracker& console_watcher::heartbeats() const { return state_->heartbeats; }

bool console_watcher::inotify_active() const {
  for (const auto& f : state_->files) {
    if (!f->inotify_active()) {
      return false;
    }
  }
  return !state_->files.empty();
}

}  // namespace meshwatch

#include "daemon/db/db_worker.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/except>
#include <thread>
#include <vector>

#include "daemon/db/conninfo.hpp"

namespace meshwatch {
namespace {

using clock_type = std::chrono::steady_clock;
using completion_fn = std::function<void(std::optional<db_failure>)>;

struct queued_job {
  db_worker::job work;
  clock_type::time_point deadline;
  completion_fn complete;
  std::shared_ptr<std::atomic<bool>> abandoned;
};

// The caller's side of one job. It lives on the caller's executor and is only touched there:
// the DB thread reaches it through a posted handler, never directly.
struct waiter {
  explicit waiter(const boost::asio::any_io_executor& executor) : wake(executor) {}
  boost::asio::steady_timer wake;
  bool done = false;
  std::optional<db_failure> failure;
};

db_failure make_failure(failure_reason reason, std::string message, std::string sqlstate = {}) {
  return db_failure{reason, std::move(message), std::move(sqlstate)};
}

constexpr std::string_view query_canceled_state = "57014";

}  // namespace

struct db_worker::impl {
  db_worker_options options;
  std::optional<conninfo> info;
  std::string describe;
  std::string config_error;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<queued_job> queue;
  bool stopping = false;
  // Owned by the DB thread; published under `mutex` so that stop() can send a cancel request
  // for the statement in flight without racing the thread replacing the connection.
  std::unique_ptr<pqxx::connection> connection;
  bool in_flight = false;
  // The running job's completion. Whoever takes it under `mutex` answers the caller, so once
  // stop() has answered, the DB thread never posts to an executor again.
  completion_fn in_flight_complete;

  std::thread thread;
  std::promise<void> exited;
  std::future<void> exited_future = exited.get_future();

  // DB thread only.
  clock_type::time_point next_connect{};
  std::chrono::milliseconds backoff{0};
  std::string last_connect_error;

  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> expired{0};
  std::atomic<std::uint64_t> connects{0};
  std::atomic<bool> connected{false};

  std::optional<db_failure> enqueue(queued_job job);
  static void thread_main(const std::shared_ptr<impl>& self);
  void run_one(queued_job& job);
  void finish(std::optional<db_failure> failure);
  std::optional<db_failure> ensure_connected();
  std::optional<db_failure> prepare_session(clock_type::time_point deadline);
  void drop_connection();
  db_failure failure_from_exception(std::exception_ptr error);
};

std::optional<db_failure> db_worker::impl::enqueue(queued_job job) {
  {
    std::lock_guard lock(mutex);
    if (stopping) {
      return make_failure(failure_reason::db_error, "db worker stopped");
    }
    if (queue.size() >= std::max<std::size_t>(1, options.queue_capacity)) {
      rejected.fetch_add(1, std::memory_order_relaxed);
      return make_failure(failure_reason::db_error, "queue full");
    }
    queue.push_back(std::move(job));
  }
  changed.notify_one();
  return std::nullopt;
}

void db_worker::impl::thread_main(const std::shared_ptr<impl>& self) {
  for (;;) {
    queued_job job;
    {
      std::unique_lock lock(self->mutex);
      self->changed.wait(lock, [&] { return self->stopping || !self->queue.empty(); });
      if (self->stopping) {
        break;
      }
      job = std::move(self->queue.front());
      self->queue.pop_front();
      self->in_flight_complete = std::move(job.complete);
    }
    self->run_one(job);
  }
  self->drop_connection();
  self->exited.set_value();
}

void db_worker::impl::finish(std::optional<db_failure> failure) {
  (failure ? failed : succeeded).fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex);
  in_flight = false;
  if (completion_fn complete = std::move(in_flight_complete)) {
    complete(std::move(failure));  // only posts; never runs the caller inline
  }
}

void db_worker::impl::run_one(queued_job& job) {
  if (clock_type::now() >= job.deadline) {
    expired.fetch_add(1, std::memory_order_relaxed);
    finish(make_failure(failure_reason::timeout, "deadline passed while queued"));
    return;
  }
  if (job.abandoned->load(std::memory_order_acquire)) {
    finish(make_failure(failure_reason::timeout, "abandoned by the caller"));
    return;
  }
  if (std::optional<db_failure> failure = prepare_session(job.deadline)) {
    finish(std::move(failure));
    return;
  }
  try {
    job.work(*connection);
    finish(std::nullopt);
  } catch (...) {
    finish(failure_from_exception(std::current_exception()));
  }
  // A job's work is destroyed here, on the DB thread, before the next one starts.
  job.work = nullptr;
}

std::optional<db_failure> db_worker::impl::prepare_session(clock_type::time_point deadline) {
  // Two attempts: an idle connection may have been terminated since the last job, and
  // finding out costs only the SET below, before the job itself has run.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (std::optional<db_failure> failure = ensure_connected()) {
      return failure;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) {
      return make_failure(failure_reason::timeout, "deadline passed while connecting");
    }
    const auto limit = std::clamp(left, std::chrono::milliseconds{1}, options.statement_timeout);
    {
      std::lock_guard lock(mutex);
      in_flight = true;
    }
    try {
      connection->set_variable("statement_timeout", std::to_string(limit.count()));
      return std::nullopt;
    } catch (...) {
      db_failure failure = failure_from_exception(std::current_exception());
      if (connection) {
        return failure;  // still open: a real error, not a stale connection
      }
    }
  }
  return make_failure(failure_reason::db_error, "connection lost twice while preparing the session");
}

std::optional<db_failure> db_worker::impl::ensure_connected() {
  if (connection && connection->is_open()) {
    return std::nullopt;
  }
  drop_connection();
  if (!info) {
    return make_failure(failure_reason::db_error, config_error);
  }
  const auto now = clock_type::now();
  if (now < next_connect) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_connect - now);
    return make_failure(failure_reason::db_error, "not connected: " + last_connect_error +
                                                      " (next attempt in " + std::to_string(wait.count()) +
                                                      " ms)");
  }
  try {
    auto fresh = std::make_unique<pqxx::connection>(info->text);
    {
      std::lock_guard lock(mutex);
      connection = std::move(fresh);
    }
    connects.fetch_add(1, std::memory_order_relaxed);
    connected.store(true, std::memory_order_relaxed);
    if (!last_connect_error.empty()) {
      spdlog::info("db: connected again to {}", describe);
    }
    last_connect_error.clear();
    backoff = std::chrono::milliseconds{0};
    return std::nullopt;
  } catch (const std::exception& error) {
    std::string message = bounded_message(error.what(), info->password, 240);
    if (message != last_connect_error) {
      spdlog::warn("db: cannot connect to {}: {}", describe, message);
    }
    last_connect_error = message;
    backoff = backoff.count() == 0 ? options.reconnect_backoff_initial
                                   : std::min(backoff * 2, options.reconnect_backoff_max);
    next_connect = clock_type::now() + backoff;
    return make_failure(failure_reason::db_error, "connect failed: " + message);
  }
}

void db_worker::impl::drop_connection() {
  std::unique_ptr<pqxx::connection> old;
  {
    std::lock_guard lock(mutex);
    old = std::move(connection);
  }
  connected.store(false, std::memory_order_relaxed);
  // Closed outside the lock: disconnecting a dead peer can take a moment.
  old.reset();
}

db_failure db_worker::impl::failure_from_exception(std::exception_ptr error) {
  const secret& hidden = info ? info->password : secret{};
  db_failure failure;
  try {
    std::rethrow_exception(std::move(error));
  } catch (const pqxx::broken_connection& e) {
    failure = make_failure(failure_reason::db_error, "connection lost: " + bounded_message(e.what(), hidden));
  } catch (const pqxx::sql_error& e) {
    bool cancelled = e.sqlstate() == query_canceled_state;
    bool stopped = false;
    {
      std::lock_guard lock(mutex);
      stopped = stopping;
    }
    if (cancelled && !stopped) {
      // statement_timeout was the job's time left, so a cancel here is its deadline.
      failure = make_failure(failure_reason::timeout, "statement cancelled at the deadline", e.sqlstate());
    } else {
      std::string prefix = e.sqlstate().empty() ? std::string() : e.sqlstate() + " ";
      failure =
          make_failure(failure_reason::db_error, prefix + bounded_message(e.what(), hidden), e.sqlstate());
    }
  } catch (const std::exception& e) {
    failure = make_failure(failure_reason::db_error, bounded_message(e.what(), hidden));
  } catch (...) {
    failure = make_failure(failure_reason::db_error, "unknown exception from a db job");
  }
  // The server may have closed the session (pg_terminate_backend, restart): start afresh.
  if (connection && !connection->is_open()) {
    drop_connection();
  }
  return failure;
}

db_worker::db_worker(const database_config& config, db_worker_options options)
    : impl_(std::make_shared<impl>()) {
  impl_->options = std::move(options);
  conninfo_options conn_options;
  conn_options.connect_timeout = impl_->options.connect_timeout;
  conn_options.application_name = impl_->options.application_name;
  const secret* password = config.password ? &*config.password : nullptr;
  parsed<conninfo> built = build_conninfo(config.dsn, password, conn_options);
  if (built) {
    impl_->describe = built.value->redacted;
    impl_->info = std::move(built.value);
  } else {
    impl_->config_error = built.error;
    impl_->describe = "(invalid DSN)";
  }
  // The thread holds the state too: a stop() that times out detaches it, and it must not
  // outlive what it reads.
  impl_->thread = std::thread([self = impl_] { impl::thread_main(self); });
}

db_worker::~db_worker() { stop(); }

void db_worker::stop() {
  impl& self = *impl_;
  std::vector<completion_fn> cancelled;
  {
    std::lock_guard lock(self.mutex);
    if (self.stopping && !self.thread.joinable()) {
      return;
    }
    self.stopping = true;
    for (queued_job& job : self.queue) {
      cancelled.push_back(std::move(job.complete));
    }
    self.queue.clear();
    if (self.in_flight_complete) {
      cancelled.push_back(std::move(self.in_flight_complete));
    }
    if (self.in_flight && self.connection) {
      try {
        self.connection->cancel_query();
      } catch (const std::exception& error) {
        spdlog::warn("db: cancelling the running statement failed: {}",
                     bounded_message(error.what(), self.info ? self.info->password : secret{}));
      }
    }
  }
  self.changed.notify_all();
  for (completion_fn& complete : cancelled) {
    complete(make_failure(failure_reason::db_error, "cancelled: db worker stopping"));
  }
  if (!self.thread.joinable()) {
    return;
  }
  if (self.exited_future.wait_for(self.options.stop_timeout) == std::future_status::ready) {
    self.thread.join();
  } else {
    spdlog::warn("db: the DB thread did not stop within {} ms; leaving it behind",
                 self.options.stop_timeout.count());
    self.thread.detach();
  }
}

boost::asio::awaitable<std::optional<db_failure>> db_worker::execute(job work,
                                                                     std::chrono::milliseconds timeout) {
  if (!impl_->info) {
    co_return make_failure(failure_reason::db_error, impl_->config_error);
  }
  const auto executor = co_await boost::asio::this_coro::executor;
  const auto deadline = clock_type::now() + timeout;
  auto state = std::make_shared<waiter>(executor);
  auto abandoned = std::make_shared<std::atomic<bool>>(false);

  // The completion moves its reference to the waiter into the posted handler, so the DB
  // thread holds none afterwards and the timer is always destroyed on the loop.
  completion_fn complete = [executor, state_ref = state](std::optional<db_failure> failure) mutable {
    boost::asio::post(executor, [waiting = std::move(state_ref), failure = std::move(failure)]() mutable {
      waiting->failure = std::move(failure);
      waiting->done = true;
      waiting->wake.cancel();
    });
  };
  queued_job entry{std::move(work), deadline, std::move(complete), abandoned};
  std::optional<db_failure> rejected = impl_->enqueue(std::move(entry));
  if (rejected) {
    co_return rejected;
  }

  state->wake.expires_at(deadline + impl_->options.completion_grace);
  auto [ec] = co_await state->wake.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (state->done) {
    co_return std::move(state->failure);
  }
  // The DB thread has not answered: either it is stuck past the deadline (a hung connect or
  // network) or our caller cancelled us. Either way the job must not start later.
  abandoned->store(true, std::memory_order_release);
  if (!ec) {
    co_return make_failure(failure_reason::timeout, "no answer from the DB thread before the deadline");
  }
  co_return make_failure(failure_reason::timeout, "cancelled by the caller");
}

const std::string& db_worker::describe() const noexcept { return impl_->describe; }

const std::string& db_worker::config_error() const noexcept { return impl_->config_error; }

db_worker_stats db_worker::stats() const {
  db_worker_stats out;
  {
    std::lock_guard lock(impl_->mutex);
    out.queued = impl_->queue.size();
  }
  out.succeeded = impl_->succeeded.load(std::memory_order_relaxed);
  out.failed = impl_->failed.load(std::memory_order_relaxed);
  out.rejected_queue_full = impl_->rejected.load(std::memory_order_relaxed);
  out.expired_in_queue = impl_->expired.load(std::memory_order_relaxed);
  out.connects = impl_->connects.load(std::memory_order_relaxed);
  out.connected = impl_->connected.load(std::memory_order_relaxed);
  return out;
}

}  // namespace meshwatch

#include "tests/twin/pg.hpp"

#include <libpq-fe.h>

#include <cstring>

namespace meshwatch::twin {

struct pg_pool::conn {
  PGconn* handle = nullptr;
  ~conn() {
    if (handle != nullptr) PQfinish(handle);
  }
};

namespace {

std::string field(const PGresult* r, int code) {
  const char* v = PQresultErrorField(r, code);
  return v == nullptr ? std::string() : std::string(v);
}

std::string pgerr(const PGresult* r, PGconn* c) {
  if (r != nullptr && PQresultErrorField(r, PG_DIAG_SQLSTATE) != nullptr) {
    return field(r, PG_DIAG_SQLSTATE) + "\t" + field(r, PG_DIAG_CONSTRAINT_NAME) + "\t" +
           field(r, PG_DIAG_TABLE_NAME) + "\t" + field(r, PG_DIAG_COLUMN_NAME) + "\t" +
           field(r, PG_DIAG_MESSAGE_PRIMARY);
  }
  // Transport failure: Mesher's driver reports `read query: <io error>`.
  std::string msg = c != nullptr ? PQerrorMessage(c) : "connection lost";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return "read query: " + msg;
}

// libpq's connect errors, reworded the way Mesher's Rust driver prints them where the
// documents name the text (RUNTIME.md §10.4); otherwise the first line of libpq's message.
std::string connect_error(PGconn* c) {
  std::string msg = c != nullptr ? PQerrorMessage(c) : "out of memory";
  if (msg.find("Connection refused") != std::string::npos) {
    return "connection failed: Connection refused (os error 111)";
  }
  if (auto fatal = msg.find("FATAL:  "); fatal != std::string::npos) msg = msg.substr(fatal + 8);
  if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
  return msg;
}

pg_result collect(PGresult* r, PGconn* c) {
  pg_result out;
  auto status = PQresultStatus(r);
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    int rows = PQntuples(r);
    int cols = PQnfields(r);
    out.rows.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      std::vector<pg_value> row;
      row.reserve(static_cast<std::size_t>(cols));
      for (int j = 0; j < cols; ++j) {
        if (PQgetisnull(r, i, j)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(r, i, j), static_cast<std::size_t>(PQgetlength(r, i, j))));
        }
      }
      out.rows.push_back(std::move(row));
    }
    const char* affected = PQcmdTuples(r);
    out.affected = (affected != nullptr && *affected != '\0') ? std::atol(affected) : 0;
  } else {
    out.error = pgerr(r, c);
  }
  return out;
}

}  // namespace

std::string pg_result::text(std::size_t row, std::size_t column) const {
  if (row >= rows.size() || column >= rows[row].size() || !rows[row][column]) return {};
  return *rows[row][column];
}

bool pg_result::is_null(std::size_t row, std::size_t column) const {
  return row >= rows.size() || column >= rows[row].size() || !rows[row][column];
}

pg_pool::pg_pool(std::string dsn, std::size_t max_connections, std::chrono::milliseconds checkout_timeout)
    : dsn_(std::move(dsn)), max_(max_connections), checkout_timeout_(checkout_timeout) {}

pg_pool::~pg_pool() = default;

std::unique_ptr<pg_pool::conn> pg_pool::connect(std::string& error) {
  // expand_dbname: the DSN (URI or key=value) is expanded, the later keywords bound it in time.
  const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {dsn_.c_str(), "10",
                          "-c statement_timeout=30000 -c lock_timeout=10000 -c client_min_messages=warning",
                          "mesher", nullptr};
  auto c = std::make_unique<conn>();
  c->handle = PQconnectdbParams(keys, values, 1);
  if (c->handle == nullptr || PQstatus(c->handle) != CONNECTION_OK) {
    error = connect_error(c->handle);
    return nullptr;
  }
  // libpq's default notice processor writes NOTICEs to stderr, which would corrupt Mesher's
  // console: the runtime prints nothing from the DB layer (RUNTIME.md §5.4).
  PQsetNoticeProcessor(
      c->handle, [](void*, const char*) {}, nullptr);
  return c;
}

std::optional<std::string> pg_pool::open_eager(std::size_t count) {
  std::vector<std::unique_ptr<conn>> opened;
  for (std::size_t i = 0; i < count; ++i) {
    std::string error;
    auto c = connect(error);
    if (!c) return "pool open: " + error;
    opened.push_back(std::move(c));
  }
  std::lock_guard lock(mutex_);
  existing_ += opened.size();
  for (auto& c : opened) idle_.push_back(std::move(c));
  return std::nullopt;
}

std::unique_ptr<pg_pool::conn> pg_pool::checkout(std::string& error) {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + checkout_timeout_;
  for (;;) {
    while (!idle_.empty()) {
      auto c = std::move(idle_.front());
      idle_.erase(idle_.begin());
      if (PQstatus(c->handle) == CONNECTION_OK) return c;
      --existing_;  // dead: dropped, a new one may be made below
    }
    if (existing_ < max_) {
      ++existing_;
      lock.unlock();
      std::string connect_err;
      auto c = connect(connect_err);
      if (c) return c;
      lock.lock();
      --existing_;
      released_.notify_one();
      error = "pool connect: " + connect_err;
      return nullptr;
    }
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        existing_ >= max_) {
      error = "pool checkout timeout";
      return nullptr;
    }
  }
}

void pg_pool::checkin(std::unique_ptr<conn> c) {
  std::lock_guard lock(mutex_);
  if (c && PQstatus(c->handle) == CONNECTION_OK && PQtransactionStatus(c->handle) == PQTRANS_IDLE) {
    idle_.push_back(std::move(c));
  } else {
    --existing_;
  }
  released_.notify_one();
}

pg_result pg_pool::query(const std::string& sql, const std::vector<pg_value>& params) {
  std::string error;
  auto c = checkout(error);
  if (!c) {
    pg_result r;
    r.error = error;
    return r;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* raw = PQexecParams(c->handle, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  pg_result r = collect(raw, c->handle);
  PQclear(raw);
  checkin(std::move(c));
  return r;
}

pg_result pg_pool::script(const std::string& sql) {
  std::string error;
  auto c = checkout(error);
  if (!c) {
    pg_result r;
    r.error = error;
    return r;
  }
  PGresult* raw = PQexec(c->handle, sql.c_str());
  pg_result r = collect(raw, c->handle);
  PQclear(raw);
  checkin(std::move(c));
  return r;
}

}  // namespace meshwatch::twin

#pragma once
// PostgreSQL access the way Mesher's runtime does it: a small pool (2 eager, max 10, 5 s
// checkout wait), every statement sent with the extended protocol, untyped text parameters,
// and errors flattened into Mesher's PGERR string
// `SQLSTATE<TAB>constraint<TAB>table<TAB>column<TAB>message` (API.md §2.6).
// libpq is used directly (it comes with libpqxx) because libpqxx 6.4 does not expose the
// PG_DIAG_* fields that PGERR is made of.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace meshwatch::twin {

using pg_value = std::optional<std::string>;  // nullopt = SQL NULL

struct pg_result {
  std::optional<std::string> error;  // PGERR or pool error text
  std::vector<std::vector<pg_value>> rows;
  long affected = 0;

  bool ok() const { return !error; }
  bool empty() const { return rows.empty(); }
  /** Text of a cell; "" for NULL or out of range. */
  std::string text(std::size_t row, std::size_t column) const;
  bool is_null(std::size_t row, std::size_t column) const;
};

class pg_pool {
 public:
  pg_pool(std::string dsn, std::size_t max_connections, std::chrono::milliseconds checkout_timeout);
  ~pg_pool();
  pg_pool(const pg_pool&) = delete;
  pg_pool& operator=(const pg_pool&) = delete;

  /** Opens `count` connections now; the error text on failure (all closed again). */
  std::optional<std::string> open_eager(std::size_t count);

  /** One statement, untyped text parameters (NULL for nullopt). */
  pg_result query(const std::string& sql, const std::vector<pg_value>& params = {});
  /** Several statements in one simple-protocol round trip (DDL). */
  pg_result script(const std::string& sql);

 private:
  struct conn;
  struct lease;
  std::unique_ptr<conn> connect(std::string& error);
  std::unique_ptr<conn> checkout(std::string& error);
  void checkin(std::unique_ptr<conn> c);

  std::string dsn_;
  std::size_t max_;
  std::chrono::milliseconds checkout_timeout_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<conn>> idle_;
  std::size_t existing_ = 0;
};

}  // namespace meshwatch::twin

#pragma once
// A database of one's own in the fixture cluster: for tests that must not see other tests' rows
// (ctest runs them in parallel, and every mesher-twin on a shared database evaluates every
// project's alert rules and prunes every project's partitions).
#include <string>

namespace meshwatch::test {

/** libpq DSN of the fixture cluster's superuser (trust over the unix socket). */
std::string superuser_dsn();

/** Runs `sql` outside a transaction (CREATE/DROP DATABASE need that); throws on failure. */
void execute_sql(const std::string& dsn, const std::string& sql);

/** A database owned by `mesh`, created on construction and dropped (FORCE) on destruction. */
class scratch_database {
 public:
  scratch_database();
  ~scratch_database();
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;

  const std::string& name() const { return name_; }
  /** postgres://mesh:mesh@127.0.0.1:<port>/<name> */
  const std::string& dsn() const { return dsn_; }

 private:
  std::string name_;
  std::string dsn_;
};

}  // namespace meshwatch::test

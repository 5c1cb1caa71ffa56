#include "tests/support/test_postgres.hpp"

#include <fstream>
#include <stdexcept>

namespace meshwatch::test {

std::string postgres_dir() { return MESHWATCH_TEST_PG_DIR; }

std::string postgres_dsn() {
  std::ifstream in(postgres_dir() + "/dsn");
  std::string dsn;
  if (!std::getline(in, dsn) || dsn.empty()) {
    throw std::runtime_error("no PostgreSQL fixture at " + postgres_dir() +
                             " (run the test through ctest, which starts it via scripts/pg)");
  }
  return dsn;
}

}  // namespace meshwatch::test

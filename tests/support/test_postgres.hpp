#pragma once
// The throwaway cluster started by the ctest fixture `postgres` (scripts/pg).
#include <string>

namespace meshwatch::test {

/** DSN of the fixture cluster; the test fails (GTEST_SKIP is not used) when it is absent. */
std::string postgres_dsn();
/** Its directory (scripts/pg layout: dsn, port, log, data/). */
std::string postgres_dir();

}  // namespace meshwatch::test

#include "tests/support/scratch_database.hpp"

#include <unistd.h>

#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <sstream>

#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

std::string random_suffix() {
  std::mt19937_64 rng(std::random_device{}());
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%012llx", static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return buffer;
}

}  // namespace

std::string superuser_dsn() {
  std::ifstream in(postgres_dir() + "/port");
  std::string port;
  std::getline(in, port);
  while (!port.empty() && (port.back() == '\n' || port.back() == ' ')) {
    port.pop_back();
  }
  return "host=" + postgres_dir() + "/sock port=" + port + " user=postgres dbname=postgres";
}

void execute_sql(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection{dsn};
  pqxx::nontransaction tx{connection};
  tx.exec(sql);
}

scratch_database::scratch_database() {
  name_ = "mwdb_" + std::to_string(::getpid()) + "_" + random_suffix();
  execute_sql(superuser_dsn(), "CREATE DATABASE " + name_ + " OWNER mesh");
  const std::string fixture = postgres_dsn();
  dsn_ = fixture.substr(0, fixture.rfind('/') + 1) + name_;
}

scratch_database::~scratch_database() {
  try {
    execute_sql(superuser_dsn(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The cluster is thrown away after the run anyway.
  }
}

}  // namespace meshwatch::test

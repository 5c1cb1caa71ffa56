#include "tests/integration/db/db_test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <regex>
#include <sstream>

#include "tests/support/test_postgres.hpp"

namespace meshwatch::db_test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

twin::twin(const std::string& dsn) {
  static std::atomic<int> counter{0};
  ports_file_ =
      "/tmp/meshwatch-db-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".json";
  ::unlink(ports_file_.c_str());
  process_ = std::make_unique<test::subprocess>(
      std::vector<std::string>{test::binary_path("mesher-twin"), "--mode", "fixed", "--ports-file",
                               ports_file_},
      std::map<std::string, std::string>{
          {"MESHER_TWIN_DSN", dsn}, {"MESHER_HTTP_PORT", "0"}, {"MESHER_WS_PORT", "0"}});
  if (!process_->wait_for_line(test::stream::err, "HTTP server listening on", 30s)) {
    throw std::runtime_error("mesher-twin did not start:\n" + process_->console());
  }
  std::smatch match;
  const std::string ports = read_file(ports_file_);
  ::unlink(ports_file_.c_str());
  if (!std::regex_search(ports, match, std::regex("\"http\":(\\d+)"))) {
    throw std::runtime_error("bad ports file: " + ports);
  }
  http_port_ = static_cast<unsigned short>(std::stoi(match[1]));
}

mesher_db& shared_mesher_db() {
  static mesher_db db;
  return db;
}

database_config config_for(const std::string& dsn) {
  database_config config;
  config.dsn = dsn;
  return config;
}

std::string query_value(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection{dsn};
  pqxx::nontransaction tx{connection};
  const pqxx::result result = tx.exec(sql);
  if (result.empty() || result[0][0].is_null()) {
    return {};
  }
  return result[0][0].as<std::string>();
}

void execute(const std::string& dsn, const std::string& sql) { test::execute_sql(dsn, sql); }

}  // namespace meshwatch::db_test

// libpqxx 6.4 leaks one PGresult when a statement runs on a connection the server has just
// closed (connection_base::make_result asks for the client encoding, which throws, before
// the result is owned). It is per broken connection, inside the library, and fixed in 7.x;
// the tests that break connections on purpose would otherwise fail under LeakSanitizer.
extern "C" const char* __lsan_default_suppressions() { return "leak:PQmakeEmptyPGresult\n"; }

// `meshwatch verify` with the embedded default catalogue against the twin as a process, in
// both modes: fixed (the API as intended) passes every probe; snapshot (today's Mesher)
// fails exactly the probes today's Mesher fails, each with the right reason.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "probes/json_body.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/support/test_postgres.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

int json_port(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":");
  return at == std::string::npos ? 0 : std::atoi(json.c_str() + at + key.size() + 3);
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

struct verify_run {
  int exit_code = -1;
  std::map<std::string, std::pair<std::string, int>> failures;  // probe -> reason, http status
  std::size_t results = 0;
  std::string output;
};

// A database of its own (the catalogue seeds and deletes synthetic rows), a twin on it in
// `mode`, then `meshwatch verify --format json` with the default catalogue pointed at it.
verify_run verify_against_twin(const std::string& mode) {
  verify_run run;
  const scratch_database own;
  const std::string& dsn = own.dsn();

  auto dir =
      std::filesystem::temp_directory_path() / ("meshwatch-verify-" + std::to_string(::getpid()) + mode);
  std::filesystem::create_directories(dir);
  auto ports = (dir / "ports.json").string();
  std::filesystem::remove(ports);
  subprocess twin({binary_path("mesher-twin"), "--mode", mode, "--ports-file", ports},
                  {{"MESHER_TWIN_DSN", dsn}, {"MESHER_HTTP_PORT", "0"}, {"MESHER_WS_PORT", "0"}});
  EXPECT_TRUE(twin.wait_for_line(stream::err, "HTTP server listening on", 30s)) << twin.console();
  auto ports_json = read_all(ports);

  subprocess printer({binary_path("meshwatch"), "print-default-config"});
  EXPECT_TRUE(printer.wait_exit(10s));
  std::string config;
  for (const auto& line : printer.lines(stream::out)) config += line + "\n";
  replace_all(config, "http://127.0.0.1:8080",
              "http://127.0.0.1:" + std::to_string(json_port(ports_json, "http")));
  replace_all(config, "ws://127.0.0.1:8081", "ws://127.0.0.1:" + std::to_string(json_port(ports_json, "ws")));
  replace_all(config, "postgres://mesh:mesh@127.0.0.1:5432/mesher", dsn);
  auto config_path = (dir / "meshwatch.yaml").string();
  std::ofstream(config_path) << config;

  subprocess verify({binary_path("meshwatch"), "verify", "--config", config_path, "--format", "json"});
  auto status = verify.wait_exit(120s);
  EXPECT_TRUE(status) << verify.console();
  run.exit_code = status ? status->code : -1;
  for (const auto& line : verify.lines(stream::out)) run.output += line;
  auto body = json_body::parse(run.output);
  EXPECT_TRUE(body.ok()) << body.error() << "\n" << verify.console();
  if (body.ok()) {
    const auto& results = body.root().FindMember("results")->value;
    run.results = results.Size();
    for (const auto& r : results.GetArray()) {
      if (!r.FindMember("passed")->value.GetBool()) {
        run.failures[r.FindMember("probe")->value.GetString()] = {
            r.FindMember("reason")->value.GetString(), r.FindMember("http_status")->value.GetInt()};
      }
    }
  }
  twin.send_signal(SIGTERM);
  twin.wait_exit(5s);
  return run;
}

TEST(verify_twin, fixed_mode_passes_every_probe_of_the_catalogue) {
  auto run = verify_against_twin("fixed");
  EXPECT_GE(run.results, 40u) << "the default catalogue covers 36 routes, 2 WS paths, pg checks";
  EXPECT_TRUE(run.failures.empty()) << run.output;
  EXPECT_EQ(run.exit_code, 0);
}

TEST(verify_twin, snapshot_mode_fails_exactly_ingestion_with_http_400) {
  auto run = verify_against_twin("snapshot");
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.failures.size(), 1u) << run.output;
  ASSERT_TRUE(run.failures.count("ingest_pipeline")) << run.output;
  EXPECT_EQ(run.failures["ingest_pipeline"].first, "http_status");
  EXPECT_EQ(run.failures["ingest_pipeline"].second, 400);
}

}  // namespace
}  // namespace meshwatch::test

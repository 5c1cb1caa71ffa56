#include <gtest/gtest.h>

#include <algorithm>

#include "config/default_config.hpp"
#include "test_support.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

load_result load_default() {
  return load_config_text(default_config_text(), default_config_name, test::options_with());
}

const probe_config* find_probe(const config& c, std::string_view name) {
  const auto it =
      std::find_if(c.probes.begin(), c.probes.end(), [&](const probe_config& p) { return p.name == name; });
  return it == c.probes.end() ? nullptr : &*it;
}

TEST(default_config, loads_without_errors_in_an_empty_environment) {
  const load_result r = load_default();
  EXPECT_EQ(test::error_lines(r), std::vector<std::string>{});
  ASSERT_TRUE(r.ok());
}

TEST(default_config, matches_the_design) {
  const config c = *load_default().value;
  EXPECT_EQ(c.admin.listen.text(), "127.0.0.1:9847");
  EXPECT_FALSE(c.admin.bearer_token.has_value());
  EXPECT_EQ(c.defaults, probe_defaults{});  // the YAML spells out the built-in defaults
  EXPECT_EQ(c.defaults.interval, 15s);
  EXPECT_EQ(c.defaults.timeout, 5s);
  EXPECT_EQ(c.defaults.jitter_percent, 10);

  ASSERT_EQ(c.targets.size(), 1u);
  const target_config& t = c.targets[0];
  EXPECT_EQ(t.name, "mesher");
  EXPECT_EQ(t.http.text(), "http://127.0.0.1:8080");
  ASSERT_TRUE(t.ws.has_value());
  EXPECT_EQ(t.ws->text(), "ws://127.0.0.1:8081");
  ASSERT_TRUE(t.database.has_value());
  EXPECT_EQ(t.database->dsn, "postgres://mesh:mesh@127.0.0.1:5432/mesher");
  EXPECT_FALSE(t.database->password.has_value());
  // The YAML repeats the built-in fixture ids of mesher/API.md §6.1; they must agree.
  EXPECT_EQ(t.fixtures, fixtures_config{});
  EXPECT_EQ(t.fixtures.project_id, "5e000000-0000-4000-8000-000000000010");
}

TEST(default_config, has_the_starting_catalogue) {
  const config c = *load_default().value;

  const probe_config* fast = find_probe(c, "fast_path");
  ASSERT_NE(fast, nullptr);
  const auto& fast_req = std::get<http_request>(fast->kind);
  EXPECT_EQ(fast_req.method, "GET");
  EXPECT_EQ(fast_req.path.source(), "/__meshwatch");
  EXPECT_EQ(fast->expect.status, std::vector<int>{404});
  ASSERT_TRUE(fast->expect.body_prefix.has_value());
  EXPECT_EQ(fast->expect.body_prefix->source(), "Not Found");

  const probe_config* health = find_probe(c, "dashboard_health");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(std::get<http_request>(health->kind).path.render(c.targets[0].fixtures.variables()),
            "/api/v1/projects/5e000000-0000-4000-8000-000000000010/dashboard/health");
  EXPECT_EQ(health->expect.json.size(), 3u);

  const probe_config* auth = find_probe(c, "ingest_invalid_key");
  ASSERT_NE(auth, nullptr);
  const auto& auth_req = std::get<http_request>(auth->kind);
  EXPECT_EQ(auth_req.method, "POST");
  ASSERT_EQ(auth_req.headers.size(), 1u);
  EXPECT_EQ(auth_req.headers[0].first, "x-sentry-auth");  // Mesher needs it lowercase
  EXPECT_EQ(auth->expect.status, std::vector<int>{401});

  const probe_config* stream = find_probe(c, "ws_stream_subscribe");
  ASSERT_NE(stream, nullptr);
  const auto& ws = std::get<ws_probe>(stream->kind);
  ASSERT_EQ(ws.expect_reply.size(), 1u);
  EXPECT_EQ(ws.expect_reply[0].pointer, "/type");
  EXPECT_TRUE(ws.expect_pong);  // the twin's ws_no_pong fault is caught by this probe

  const bool has_pg = std::any_of(c.probes.begin(), c.probes.end(), [](const probe_config& p) {
    return std::holds_alternative<pg_probe>(p.kind);
  });
  EXPECT_TRUE(has_pg);
}

}  // namespace
}  // namespace meshwatch

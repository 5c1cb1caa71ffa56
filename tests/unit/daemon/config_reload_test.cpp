#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "daemon/config_reload.hpp"

namespace meshwatch {
namespace {

const std::string base = R"(admin: { listen: 127.0.0.1:9847 }
targets:
  - name: mesher
    http: http://127.0.0.1:8080
probes:
  - name: fast_path
    http: { method: GET, path: /__meshwatch }
    expect: { status: 404 }
)";

config load_ok(const std::string& text) {
  auto r = load_config_text(text, "test.yaml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.value.value_or(config{});
}

TEST(config_reload, identical_file_is_unchanged) {
  auto running = load_ok(base);
  EXPECT_EQ(decide_reload(running, load_config_text(base, "test.yaml")).outcome, reload_outcome::unchanged);
}

TEST(config_reload, new_probe_is_applied) {
  auto running = load_ok(base);
  auto next = base + "  - name: another\n    http: { method: GET, path: /x }\n";
  EXPECT_EQ(decide_reload(running, load_config_text(next, "test.yaml")).outcome, reload_outcome::applied);
}

TEST(config_reload, invalid_file_keeps_the_old_config_and_says_why) {
  auto running = load_ok(base);
  auto d = decide_reload(running, load_config_text("admin: [1]\n", "test.yaml"));
  EXPECT_EQ(d.outcome, reload_outcome::invalid);
  EXPECT_NE(d.why.find("test.yaml:1:"), std::string::npos) << d.why;
}

TEST(config_reload, admin_or_target_changes_need_a_restart) {
  auto running = load_ok(base);
  auto moved = base;
  moved.replace(moved.find("9847"), 4, "9848");
  EXPECT_EQ(decide_reload(running, load_config_text(moved, "test.yaml")).outcome,
            reload_outcome::restart_required);
  auto retargeted = base;
  retargeted.replace(retargeted.find("8080"), 4, "8090");
  EXPECT_EQ(decide_reload(running, load_config_text(retargeted, "test.yaml")).outcome,
            reload_outcome::restart_required);
  auto relogged = base + "incidents: { log: /var/log/meshwatch/incidents.jsonl }\n";
  auto d = decide_reload(running, load_config_text(relogged, "test.yaml"));
  EXPECT_EQ(d.outcome, reload_outcome::restart_required);
  EXPECT_NE(d.why.find("incidents"), std::string::npos) << d.why;
}

}  // namespace
}  // namespace meshwatch

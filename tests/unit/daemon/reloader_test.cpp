// The one reload step SIGHUP and POST /-/reload share: what it applies, what it refuses, what
// it counts, and the HTTP answer a script reads.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <rapidjson/document.h>

#include <stdexcept>

#include "config/loader.hpp"
#include "daemon/reloader.hpp"

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
const std::string with_probe = base + "  - name: added\n    http: { method: GET, path: /x }\n";

double reloads(prometheus::Registry& registry, const std::string& result) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "meshwatch_config_reloads_total") continue;
    for (const auto& m : family.metric) {
      for (const auto& l : m.label) {
        if (l.name == "result" && l.value == result) return m.counter.value;
      }
    }
  }
  return -1;
}

class reloader_test : public ::testing::Test {
 protected:
  reloader make() {
    auto running = load_config_text(base, "test.yaml");
    EXPECT_TRUE(running.ok());
    return reloader(
        *running.value, [this] { return load_config_text(file_, "test.yaml"); },
        [this](const config& next) {
          if (refuse_) throw std::runtime_error("cannot resolve target mesher");
          applied_.push_back(next.probes.size());
        },
        registry_);
  }
  prometheus::Registry registry_;
  std::string file_ = base;
  bool refuse_ = false;
  std::vector<std::size_t> applied_;
};

TEST_F(reloader_test, new_probe_is_applied_and_becomes_the_running_config) {
  auto r = make();
  file_ = with_probe;
  auto d = r.reload("test");
  EXPECT_EQ(d.outcome, reload_outcome::applied);
  ASSERT_EQ(applied_.size(), 1U);
  EXPECT_EQ(applied_[0], 2U);
  EXPECT_EQ(r.running().probes.size(), 2U);
  EXPECT_EQ(reloads(registry_, "applied"), 1);
  // The same file again is now unchanged: the comparison is against what was applied.
  EXPECT_EQ(r.reload("test").outcome, reload_outcome::unchanged);
  EXPECT_EQ(applied_.size(), 1U);
  EXPECT_EQ(reloads(registry_, "unchanged"), 1);
}

TEST_F(reloader_test, invalid_file_is_refused_and_counted) {
  auto r = make();
  file_ = "admin: [1]\n";
  auto d = r.reload("test");
  EXPECT_EQ(d.outcome, reload_outcome::invalid);
  EXPECT_NE(d.why.find("test.yaml:1:"), std::string::npos) << d.why;
  EXPECT_TRUE(applied_.empty());
  EXPECT_EQ(r.running().probes.size(), 1U);
  EXPECT_EQ(reloads(registry_, "invalid"), 1);
  EXPECT_EQ(reloads(registry_, "applied"), 0);
}

TEST_F(reloader_test, admin_change_needs_a_restart) {
  auto r = make();
  file_ = base;
  file_.replace(file_.find("9847"), 4, "9848");
  auto d = r.reload("test");
  EXPECT_EQ(d.outcome, reload_outcome::restart_required);
  EXPECT_TRUE(applied_.empty());
  EXPECT_EQ(r.running().admin.listen.port, 9847);
  EXPECT_EQ(reloads(registry_, "restart_required"), 1);
}

TEST_F(reloader_test, failure_to_apply_keeps_the_old_config_as_invalid) {
  auto r = make();
  file_ = with_probe;
  refuse_ = true;
  auto d = r.reload("test");
  EXPECT_EQ(d.outcome, reload_outcome::invalid);
  EXPECT_EQ(d.why, "cannot resolve target mesher");
  EXPECT_EQ(r.running().probes.size(), 1U);
  EXPECT_EQ(reloads(registry_, "invalid"), 1);
  // Fixed: the same file applies on the next try.
  refuse_ = false;
  EXPECT_EQ(r.reload("test").outcome, reload_outcome::applied);
}

TEST(reload_answer, status_codes_tell_success_from_failure) {
  EXPECT_EQ(reload_http_status(reload_outcome::applied), 200);
  EXPECT_EQ(reload_http_status(reload_outcome::unchanged), 200);
  EXPECT_EQ(reload_http_status(reload_outcome::invalid), 400);
  EXPECT_EQ(reload_http_status(reload_outcome::restart_required), 409);
}

TEST(reload_answer, answer_is_json_with_result_and_why_escaped) {
  auto body = reload_response_json({reload_outcome::invalid, "bad \"quote\"\n\tand \\ slash"});
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  ASSERT_FALSE(doc.HasParseError()) << body;
  EXPECT_STREQ(doc["result"].GetString(), "invalid");
  EXPECT_STREQ(doc["why"].GetString(), "bad \"quote\"\n\tand \\ slash");
  EXPECT_EQ(doc.MemberCount(), 2U);
}

}  // namespace
}  // namespace meshwatch

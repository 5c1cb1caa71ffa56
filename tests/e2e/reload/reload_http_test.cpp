// POST /-/reload on a real `meshwatch run`: the config file is edited on disk, the endpoint
// answers with the decision as JSON and a status a script can branch on, and a refused file
// leaves the running config in place (counted like SIGHUP, which shares the same step).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

std::string config_text(const std::string& extra_admin = "", const std::string& probes = "") {
  return "admin:\n"
         "  listen: 127.0.0.1:0\n" +
         extra_admin +
         "targets:\n"
         "  - name: mesher\n"
         "    http: http://127.0.0.1:9\n"
         "    ws: ws://127.0.0.1:9\n" +
         probes;
}

const std::string added_probe =
    "probes:\n"
    "  - name: added_by_http_reload\n"
    "    interval: 500ms\n"
    "    timeout: 200ms\n"
    "    http: { method: GET, path: /__meshwatch }\n";

class reload_http : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meshwatch-reload-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "meshwatch.yaml").string();
  }
  void TearDown() override {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void start(const std::string& text) {
    write(text);
    process_ = std::make_unique<subprocess>(
        std::vector<std::string>{binary_path("meshwatch"), "run", "--config", path_});
    static const std::regex listening(R"(admin server listening on http://127\.0\.0\.1:(\d+))");
    auto line = process_->wait_for_line(
        stream::err, [](const std::string& l) { return std::regex_search(l, listening); }, 10s);
    ASSERT_TRUE(line) << process_->console();
    std::smatch m;
    std::regex_search(*line, m, listening);
    port_ = static_cast<unsigned short>(std::stoi(m[1]));
  }

  void write(const std::string& text) const { std::ofstream(path_, std::ios::trunc) << text; }

  std::optional<http_response> post_reload(const std::string& token = "",
                                           const std::string& body = "") const {
    http_request req;
    req.method = "POST";
    req.target = "/-/reload";
    req.body = body;
    if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
    return http_call("127.0.0.1", port_, req, 10s);
  }

  std::optional<http_response> get(const std::string& target, const std::string& token = "") const {
    http_request req;
    req.target = target;
    if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
    return http_call("127.0.0.1", port_, req);
  }

  int reloads(const std::string& result, const std::string& token = "") const {
    auto res = get("/metrics", token);
    std::smatch m;
    std::regex re("meshwatch_config_reloads_total\\{result=\"" + result + "\"\\} (\\d+)");
    return res && std::regex_search(res->body, m, re) ? std::stoi(m[1]) : -1;
  }

  /** Whether /status shows a result of `probe`, i.e. the applied probe really runs. */
  bool probe_has_run(const std::string& probe) const {
    auto res = get("/status");
    if (!res || res->status != 200) return false;
    rapidjson::Document doc;
    doc.Parse(res->body.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("probes") || !doc["probes"].IsArray())
      return false;
    for (const auto& p : doc["probes"].GetArray()) {
      if (p.IsObject() && p.HasMember("probe") && p["probe"].IsString() && p["probe"].GetString() == probe &&
          p.HasMember("last") && p["last"].IsObject()) {
        return true;
      }
    }
    return false;
  }

  bool wait_probe_has_run(const std::string& probe, std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!probe_has_run(probe)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }

  bool status_has(const std::string& needle, const std::string& token = "") const {
    auto res = get("/status", token);
    return res && res->status == 200 && res->body.find(needle) != std::string::npos;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<subprocess> process_;
  unsigned short port_ = 0;
};

// {"result":…,"why":…} parsed; empty result on anything else.
std::pair<std::string, std::string> decision(const http_response& res) {
  rapidjson::Document doc;
  doc.Parse(res.body.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("result") || !doc["result"].IsString() ||
      !doc.HasMember("why") || !doc["why"].IsString()) {
    return {};
  }
  return {doc["result"].GetString(), doc["why"].GetString()};
}

TEST_F(reload_http, applies_an_edited_file_and_refuses_a_broken_one_keeping_the_old_config) {
  start(config_text());
  ASSERT_EQ(reloads("applied"), 0);
  EXPECT_FALSE(status_has("added_by_http_reload"));

  // Unchanged file: success, nothing swapped.
  auto same = post_reload();
  ASSERT_TRUE(same) << process_->console();
  EXPECT_EQ(same->status, 200);
  EXPECT_EQ(same->headers["content-type"], "application/json");
  EXPECT_EQ(decision(*same).first, "unchanged") << same->body;
  EXPECT_EQ(reloads("unchanged"), 1);

  // A new probe is applied and shows in /status.
  write(config_text("", added_probe));
  auto applied = post_reload();
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->status, 200);
  EXPECT_EQ(decision(*applied).first, "applied") << applied->body;
  EXPECT_EQ(reloads("applied"), 1);
  EXPECT_TRUE(status_has("added_by_http_reload"));
  EXPECT_TRUE(process_->wait_for_line(stream::err, "POST /-/reload: config applied", 5s))
      << process_->console();
  // Applied means probing: the new probe has a result within a few of its 500 ms intervals.
  EXPECT_TRUE(wait_probe_has_run("added_by_http_reload", 10s)) << get("/status")->body;

  // A broken file: 400 with the file position in why; the probe stays, and it is counted.
  write("admin: [1]\n");
  auto broken = post_reload();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  auto [result, why] = decision(*broken);
  EXPECT_EQ(result, "invalid") << broken->body;
  EXPECT_NE(why.find(path_ + ":1:"), std::string::npos) << why;
  EXPECT_EQ(reloads("invalid"), 1);
  EXPECT_EQ(reloads("applied"), 1);
  EXPECT_TRUE(status_has("added_by_http_reload"));
  EXPECT_TRUE(process_->wait_for_line(stream::err, "POST /-/reload: config invalid", 5s))
      << process_->console();

  // An admin change: 409, still the old config.
  auto moved = config_text("", added_probe);
  moved.replace(moved.find("127.0.0.1:0"), 11, "127.0.0.1:1");
  write(moved);
  auto conflict = post_reload();
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(decision(*conflict).first, "restart_required") << conflict->body;
  EXPECT_EQ(reloads("restart_required"), 1);
  EXPECT_TRUE(status_has("added_by_http_reload"));

  // Back to the original file: the probe goes away, so the refusals above changed nothing.
  write(config_text());
  auto back = post_reload();
  ASSERT_TRUE(back);
  EXPECT_EQ(decision(*back).first, "applied") << back->body;
  EXPECT_FALSE(status_has("added_by_http_reload"));
  EXPECT_EQ(reloads("applied"), 2);
}

TEST_F(reload_http, sighup_and_post_share_the_step_and_the_counter) {
  start(config_text());
  write(config_text("", added_probe));
  process_->send_signal(SIGHUP);
  ASSERT_TRUE(process_->wait_for_line(stream::err, "SIGHUP: config applied", 5s)) << process_->console();
  // The HTTP reload now compares against what SIGHUP applied.
  auto res = post_reload();
  ASSERT_TRUE(res);
  EXPECT_EQ(decision(*res).first, "unchanged") << res->body;
  EXPECT_EQ(reloads("applied"), 1);
  EXPECT_EQ(reloads("unchanged"), 1);
}

TEST_F(reload_http, only_post_and_the_bearer_token_is_required) {
  start(config_text("  bearer_token: s3cret\n"));
  write(config_text("  bearer_token: s3cret\n", added_probe));

  auto anonymous = post_reload();
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto wrong = post_reload("guess");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto by_get = get("/-/reload", "s3cret");
  ASSERT_TRUE(by_get);
  EXPECT_EQ(by_get->status, 405);
  EXPECT_EQ(by_get->headers["allow"], "POST");
  // None of those reloaded anything.
  EXPECT_EQ(reloads("applied", "s3cret"), 0);
  EXPECT_FALSE(status_has("added_by_http_reload", "s3cret"));

  // The body is ignored (and bounded: over the limit is refused before it is read).
  auto ok = post_reload("s3cret", "{\"ignored\":true}");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(decision(*ok).first, "applied") << ok->body;
  EXPECT_TRUE(status_has("added_by_http_reload", "s3cret"));

  auto huge = raw_exchange("127.0.0.1", port_,
                           "POST /-/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n"
                           "Content-Length: 1000000\r\n\r\n");
  ASSERT_TRUE(huge);
  EXPECT_TRUE(huge->starts_with("HTTP/1.1 413")) << huge->substr(0, 80);
  EXPECT_EQ(reloads("applied", "s3cret"), 1);
  EXPECT_EQ(reloads("unchanged", "s3cret"), 0);
}

}  // namespace
}  // namespace meshwatch::test

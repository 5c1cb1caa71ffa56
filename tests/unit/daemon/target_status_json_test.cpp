// The `stream` block of each target in /status: the subscriber's state as the JSON the status
// page and scripts read (times as unix seconds, absent values as null, server text escaped).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "daemon/stream_monitor.hpp"
#include "daemon/target_watch.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

std::vector<std::unique_ptr<target_watch>> targets(std::initializer_list<const char*> names) {
  std::vector<std::unique_ptr<target_watch>> out;
  for (const char* name : names) {
    auto t = std::make_unique<target_watch>();
    t->name = name;
    out.push_back(std::move(t));
  }
  return out;
}

// Parses the array and returns the `stream` value of `target` (fails the test on bad JSON).
const rapidjson::Value* stream_of(rapidjson::Document& doc, const std::string& json, const char* target) {
  doc.Parse(json.c_str(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json;
  if (doc.HasParseError() || !doc.IsArray()) return nullptr;
  for (const auto& t : doc.GetArray()) {
    if (t.IsObject() && t.HasMember("target") && std::string(t["target"].GetString()) == target) {
      EXPECT_TRUE(t.HasMember("stream")) << json;
      return t.HasMember("stream") ? &t["stream"] : nullptr;
    }
  }
  ADD_FAILURE() << target << " missing from " << json;
  return nullptr;
}

TEST(target_status_json, connected_subscriber_with_every_field) {
  stream_status s;
  s.target = "mesher";
  s.path = "/stream/projects/0b6f";
  s.connected = true;
  auto since = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)) + 250ms;
  s.connected_since = since;
  s.connections = 3;
  s.reconnects = 2;
  s.last_disconnect = "ws_no_pong";
  s.last_error = "no pong within 5000 ms";
  s.pushes = 41;
  s.silent_drops = 1;
  s.last_push_latency_seconds = 0.0125;
  s.last_pong_latency_seconds = 0.0004;

  rapidjson::Document doc;
  auto json = render_targets_status(targets({"mesher"}), {s});
  const auto* v = stream_of(doc, json, "mesher");
  ASSERT_NE(v, nullptr);
  ASSERT_TRUE(v->IsObject()) << json;
  const auto& o = *v;
  EXPECT_STREQ(o["path"].GetString(), "/stream/projects/0b6f");
  EXPECT_TRUE(o["connected"].GetBool());
  EXPECT_DOUBLE_EQ(o["connected_since_unix"].GetDouble(), 1'800'000'000.25);
  EXPECT_EQ(o["connections"].GetUint64(), 3u);
  EXPECT_EQ(o["reconnects"].GetUint64(), 2u);
  EXPECT_STREQ(o["last_disconnect"].GetString(), "ws_no_pong");
  EXPECT_STREQ(o["last_error"].GetString(), "no pong within 5000 ms");
  EXPECT_EQ(o["pushes"].GetUint64(), 41u);
  EXPECT_EQ(o["silent_drops"].GetUint64(), 1u);
  EXPECT_DOUBLE_EQ(o["last_push_latency_seconds"].GetDouble(), 0.0125);
  EXPECT_DOUBLE_EQ(o["last_pong_latency_seconds"].GetDouble(), 0.0004);
  // The watchers' keys are still there, null for a target without them.
  EXPECT_TRUE(doc[0]["process"].IsNull());
  EXPECT_TRUE(doc[0]["console"].IsNull());
}

TEST(target_status_json, never_connected_subscriber_has_nulls_not_zeros) {
  stream_status s;
  s.target = "mesher";
  s.path = "/stream/projects/x";
  rapidjson::Document doc;
  auto json = render_targets_status(targets({"mesher"}), {s});
  const auto* v = stream_of(doc, json, "mesher");
  ASSERT_NE(v, nullptr);
  ASSERT_TRUE(v->IsObject()) << json;
  EXPECT_FALSE((*v)["connected"].GetBool());
  EXPECT_TRUE((*v)["connected_since_unix"].IsNull()) << json;
  EXPECT_TRUE((*v)["last_disconnect"].IsNull()) << json;
  EXPECT_TRUE((*v)["last_push_latency_seconds"].IsNull()) << json;
  EXPECT_TRUE((*v)["last_pong_latency_seconds"].IsNull()) << json;
  EXPECT_EQ((*v)["pushes"].GetUint64(), 0u);
}

TEST(target_status_json, each_target_gets_its_own_stream_and_null_without_one) {
  stream_status a;
  a.target = "alpha";
  a.pushes = 7;
  stream_status stray;  // a subscriber of no listed target is not shown anywhere
  stray.target = "gone";
  stray.pushes = 99;
  rapidjson::Document doc;
  auto json = render_targets_status(targets({"alpha", "beta"}), {stray, a});
  const auto* alpha = stream_of(doc, json, "alpha");
  ASSERT_NE(alpha, nullptr);
  ASSERT_TRUE(alpha->IsObject()) << json;
  EXPECT_EQ((*alpha)["pushes"].GetUint64(), 7u);
  const auto* beta = stream_of(doc, json, "beta");
  ASSERT_NE(beta, nullptr);
  EXPECT_TRUE(beta->IsNull()) << json;
  EXPECT_EQ(json.find("99"), std::string::npos) << json;
}

TEST(target_status_json, server_text_is_escaped_and_cut_and_non_finite_latency_is_null) {
  stream_status s;
  s.target = "mesher";
  s.last_disconnect = "ws_closed";
  // A close reason quoted from the server: quotes, markup, control bytes, and far too long.
  s.last_error = "close 1011 \"<b>x</b>\"\n\x01" + std::string(1000, 'z');
  s.last_push_latency_seconds = std::numeric_limits<double>::quiet_NaN();
  s.last_pong_latency_seconds = std::numeric_limits<double>::infinity();
  rapidjson::Document doc;
  auto json = render_targets_status(targets({"mesher"}), {s});
  const auto* v = stream_of(doc, json, "mesher");
  ASSERT_NE(v, nullptr);
  ASSERT_TRUE(v->IsObject()) << json;
  std::string error = (*v)["last_error"].GetString();
  EXPECT_EQ(error.size(), 256u);
  EXPECT_TRUE(error.starts_with("close 1011 \"<b>x</b>\"\n\x01zz")) << error;
  EXPECT_TRUE((*v)["last_push_latency_seconds"].IsNull()) << json;
  EXPECT_TRUE((*v)["last_pong_latency_seconds"].IsNull()) << json;
}

TEST(target_status_json, database_ssl_is_shown_per_target_with_a_database) {
  rapidjson::Document doc;
  auto json = render_targets_status(targets({"alpha", "beta", "gamma"}), {},
                                    {{"alpha", "on"}, {"beta", ""}, {"gamma", std::string(100, 'x')}});
  doc.Parse(json.c_str(), json.size());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_STREQ(doc[0]["database"]["ssl"].GetString(), "on");
  EXPECT_TRUE(doc[1]["database"]["ssl"].IsNull()) << json;              // not read yet
  EXPECT_EQ(doc[2]["database"]["ssl"].GetStringLength(), 16u) << json;  // server text is cut

  json = render_targets_status(targets({"alpha"}), {});
  doc.Parse(json.c_str(), json.size());
  EXPECT_TRUE(doc[0]["database"].IsNull()) << json;  // no database configured
}

}  // namespace
}  // namespace meshwatch

#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include "test_support.hpp"

namespace meshwatch {
namespace {

constexpr const char* minimal = "targets:\n  - name: mesher\n    http: http://127.0.0.1:8080\n";

TEST(config_error, formats_like_a_compiler) {
  EXPECT_EQ((config_error{"/etc/meshwatch.yaml", 12, 7, "bad"}).to_string(), "/etc/meshwatch.yaml:12:7: bad");
}

TEST(load_config, a_minimal_config_gets_the_defaults) {
  const load_result r = test::load_text(minimal);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(test::error_lines(r));
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.value->admin, admin_config{});
  EXPECT_EQ(r.value->defaults, probe_defaults{});
  EXPECT_TRUE(r.value->probes.empty());
  EXPECT_EQ(r.value->targets[0].fixtures, fixtures_config{});
}

TEST(load_config, probe_without_target_checks_every_target) {
  const load_result r = test::load_text(
      "targets:\n"
      "  - { name: a, http: 'http://h:1', ws: 'ws://h:2' }\n"
      "  - { name: b, http: 'http://h:3' }\n"
      "probes:\n"
      "  - { name: stream_a, target: a, ws: { path: /s } }\n"
      "  - { name: stream_all, ws: { path: /s } }\n");
  EXPECT_EQ(test::error_lines(r),
            std::vector<std::string>{
                "test.yaml:6:25: probes[1] ('stream_all') needs a ws URL, but target 'b' has none"});
}

TEST(load_config, rejects_an_oversized_file_before_parsing) {
  const std::string big = std::string{minimal} + "#" + std::string(max_config_bytes, 'x') + "\n";
  const load_result r = test::load_text(big);
  EXPECT_EQ(test::error_lines(r),
            std::vector<std::string>{"test.yaml:1:1: the config is larger than 1048576 bytes"});

  const test::temp_dir dir;
  const std::string path = dir.write("big.yaml", big);
  EXPECT_EQ(test::error_lines(load_config_file(path, test::options_with())),
            std::vector<std::string>{path + ":1:1: the config is larger than 1048576 bytes"});
}

TEST(load_config, bounds_the_number_of_probes) {
  std::string yaml = std::string{minimal} + "probes:\n";
  for (int i = 0; i <= 1000; ++i) {
    yaml += "  - { name: p" + std::to_string(i) + ", http: { path: /x } }\n";
  }
  EXPECT_EQ(test::error_lines(test::load_text(yaml)),
            std::vector<std::string>{"test.yaml:5:3: probes has 1001 entries (at most 1000)"});
}

TEST(load_config, bounds_the_number_of_errors) {
  std::string yaml = std::string{minimal} + "probes:\n";
  for (int i = 0; i < 300; ++i) {
    yaml += "  - { name: p" + std::to_string(i) + " }\n";
  }
  const load_result r = test::load_text(yaml);
  ASSERT_EQ(r.errors.size(), max_config_errors);
  EXPECT_EQ(r.errors.front().to_string(),
            "test.yaml:5:5: probes[0] needs exactly one of http, ws, pg, pipeline");
  EXPECT_EQ(r.errors.back().message, "too many errors; stopping after 199");
}

TEST(load_config_file, reports_an_unreadable_file) {
  const test::temp_dir dir;
  const std::string missing = (dir.path() / "missing.yaml").string();
  EXPECT_EQ(test::error_lines(load_config_file(missing, test::options_with())),
            std::vector<std::string>{missing + ":1:1: cannot read the config: No such file or directory"});
  EXPECT_EQ(
      test::error_lines(load_config_file(dir.path().string(), test::options_with())),
      std::vector<std::string>{dir.path().string() + ":1:1: cannot read the config: it is a directory"});
}

TEST(load_config, unknown_key_at_the_top_level) {
  EXPECT_EQ(test::error_lines(test::load_text(std::string{minimal} + "probe: []\n")),
            std::vector<std::string>{"test.yaml:4:1: unknown key 'probe' at the top level (allowed: admin, "
                                     "defaults, targets, probes, incidents)"});
}

TEST(load_config, configs_compare_equal_when_loaded_twice) {
  // SIGHUP reload compares the new config with the running one.
  const load_result a = test::load_text(minimal);
  const load_result b = test::load_text(minimal);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a.value, *b.value);
  const load_result c = test::load_text(std::string{minimal} + "defaults: { interval: 30s }\n");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a.value, *c.value);
}

}  // namespace
}  // namespace meshwatch

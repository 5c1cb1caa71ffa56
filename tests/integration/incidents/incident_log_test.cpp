#include "daemon/incidents/incident_log.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/incidents/incident_correlator.hpp"
#include "daemon/incidents/incident_json.hpp"

namespace meshwatch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class incident_log_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "meshwatch-incidents-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  static std::vector<std::string> lines_of(const fs::path& p) {
    std::vector<std::string> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
      out.push_back(line);
    }
    return out;
  }

  static incident numbered(std::uint64_t n) {
    incident inc;
    inc.sequence = n;
    inc.id = make_incident_id(std::chrono::system_clock::time_point{} + 1'735'732'800s, n);
    inc.target = "mesher";
    inc.kind = incident_kind::crash;
    inc.summary = "SIGSEGV (native_crash)";
    return inc;
  }

  static std::uint64_t sequence_of(const std::string& line) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    EXPECT_FALSE(d.HasParseError()) << line;
    const std::string id = d["id"].GetString();
    return std::stoull(id.substr(id.rfind('-') + 1));
  }

  fs::path dir;
};

TEST_F(incident_log_test, appends_one_json_line_per_incident) {
  incident_log log({dir / "incidents.jsonl", 1 << 20, 3, fsync_policy::every_append});
  for (std::uint64_t i = 1; i <= 3; ++i) {
    EXPECT_TRUE(log.append(numbered(i)));
  }
  const auto lines = lines_of(dir / "incidents.jsonl");
  ASSERT_EQ(lines.size(), 3U);
  for (std::uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(sequence_of(lines[i]), i + 1);
  }
  EXPECT_EQ(log.lines_written(), 3U);
  EXPECT_EQ(log.errors(), 0U);
  EXPECT_EQ(fs::status(dir / "incidents.jsonl").permissions() & fs::perms::others_all, fs::perms::none);
}

TEST_F(incident_log_test, reopening_appends_and_counts_the_existing_size) {
  const auto path = dir / "incidents.jsonl";
  const auto one_line = incident_to_json(numbered(1)).size() + 1;
  {
    incident_log log({path, one_line * 2, 2, fsync_policy::never});
    EXPECT_TRUE(log.append(numbered(1)));
  }
  incident_log log({path, one_line * 2, 2, fsync_policy::never});
  EXPECT_TRUE(log.append(numbered(2)));
  EXPECT_EQ(log.rotations(), 0U);
  EXPECT_TRUE(log.append(numbered(3)));  // would make three lines: rotates first
  EXPECT_EQ(log.rotations(), 1U);
  EXPECT_EQ(lines_of(path).size(), 1U);
  EXPECT_EQ(lines_of(dir / "incidents.jsonl.1").size(), 2U);
}

TEST_F(incident_log_test, rotation_at_the_size_bound_keeps_n_files) {
  const auto path = dir / "incidents.jsonl";
  const std::uint64_t max_bytes = 1000;
  incident_log log({path, max_bytes, 3, fsync_policy::never});
  const std::uint64_t total = 100;
  for (std::uint64_t i = 1; i <= total; ++i) {
    ASSERT_TRUE(log.append(numbered(i)));
  }
  EXPECT_GT(log.rotations(), 3U);
  EXPECT_EQ(log.errors(), 0U);
  EXPECT_TRUE(fs::exists(dir / "incidents.jsonl.1"));
  EXPECT_TRUE(fs::exists(dir / "incidents.jsonl.2"));
  EXPECT_TRUE(fs::exists(dir / "incidents.jsonl.3"));
  EXPECT_FALSE(fs::exists(dir / "incidents.jsonl.4"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 4);

  // Oldest to newest: .3, .2, .1, live — the kept lines are the last ones, in order, no gaps.
  std::vector<std::uint64_t> kept;
  for (const auto* name :
       {"incidents.jsonl.3", "incidents.jsonl.2", "incidents.jsonl.1", "incidents.jsonl"}) {
    EXPECT_LE(fs::file_size(dir / name), max_bytes) << name;
    for (const auto& line : lines_of(dir / name)) {
      kept.push_back(sequence_of(line));
    }
  }
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.back(), total);
  for (std::size_t i = 1; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i], kept[i - 1] + 1);
  }
}

TEST_F(incident_log_test, a_line_over_the_bound_is_written_alone) {
  const auto path = dir / "incidents.jsonl";
  incident_log log({path, 100, 2, fsync_policy::never});
  EXPECT_TRUE(log.append_line(std::string(50, 'a')));
  EXPECT_TRUE(log.append_line(std::string(500, 'b')));
  EXPECT_TRUE(log.append_line(std::string(50, 'c')));
  EXPECT_EQ(lines_of(path), std::vector<std::string>{std::string(50, 'c')});
  EXPECT_EQ(lines_of(dir / "incidents.jsonl.1"), std::vector<std::string>{std::string(500, 'b')});
  EXPECT_EQ(lines_of(dir / "incidents.jsonl.2"), std::vector<std::string>{std::string(50, 'a')});
}

TEST_F(incident_log_test, zero_rotated_files_means_the_live_file_starts_over) {
  const auto path = dir / "incidents.jsonl";
  incident_log log({path, 100, 0, fsync_policy::never});
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(log.append_line(std::string(40, static_cast<char>('a' + i))));
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
  EXPECT_LE(fs::file_size(path), 100U);
  EXPECT_EQ(lines_of(path).back(), std::string(40, 'j'));
}

TEST_F(incident_log_test, unwritable_directory_is_counted_not_thrown_and_recovers) {
  // A path under a regular file fails for root too (ENOTDIR), unlike a permission bit.
  std::ofstream(dir / "not-a-dir") << "x";
  incident_log blocked({dir / "not-a-dir" / "incidents.jsonl", 1000, 2, fsync_policy::every_append});
  EXPECT_NO_THROW({
    EXPECT_FALSE(blocked.append(numbered(1)));
    EXPECT_FALSE(blocked.append(numbered(2)));
  });
  EXPECT_EQ(blocked.errors(), 2U);
  EXPECT_EQ(blocked.lines_written(), 0U);

  // A missing directory that appears later: the log resumes on the next append.
  incident_log later({dir / "later" / "incidents.jsonl", 1000, 2, fsync_policy::every_append});
  EXPECT_FALSE(later.append(numbered(1)));
  EXPECT_EQ(later.errors(), 1U);
  fs::create_directory(dir / "later");
  EXPECT_TRUE(later.append(numbered(2)));
  EXPECT_EQ(later.errors(), 1U);
  EXPECT_EQ(lines_of(dir / "later" / "incidents.jsonl").size(), 1U);
}

TEST_F(incident_log_test, disk_full_is_counted_not_thrown) {
  if (!fs::exists("/dev/full")) {
    GTEST_SKIP() << "/dev/full is not available";
  }
  incident_log log({"/dev/full", 1000, 2, fsync_policy::every_append});
  EXPECT_NO_THROW({
    EXPECT_FALSE(log.append(numbered(1)));
    EXPECT_FALSE(log.append(numbered(2)));
  });
  EXPECT_EQ(log.errors(), 2U);
  EXPECT_EQ(log.rotations(), 0U);  // a failed write never grows the counted size
}

TEST_F(incident_log_test, closed_incidents_from_the_correlator_land_in_the_log) {
  incident_log log({dir / "incidents.jsonl", 1 << 20, 2, fsync_policy::every_append});
  auto steady = std::chrono::steady_clock::time_point{} + 1000h;
  auto wall = std::chrono::system_clock::time_point{} + 1'735'732'800s;
  incident_callbacks cb;
  cb.on_closed = [&](const incident& i) { log.append(i); };
  incident_correlator c({}, {[&] { return steady; }, [&] { return wall; }}, cb);
  c.note_probe_started("ingest_event", "mesher", "/api/v1/events", steady);
  steady += 1s;
  wall += 1s;
  process_event e;
  e.kind = process_event_kind::exited;
  e.target = "mesher";
  e.at = steady;
  e.wall_time = wall;
  e.exit = classify_exit(exit_status::killed_by(11), 60s);
  c.on_process_event(e);
  steady += 10s;
  wall += 10s;
  c.tick();

  const auto lines = lines_of(dir / "incidents.jsonl");
  ASSERT_EQ(lines.size(), 1U);
  rapidjson::Document d;
  d.Parse(lines[0].c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["kind"].GetString(), "crash");
  EXPECT_STREQ(d["state"].GetString(), "closed");
  EXPECT_STREQ(d["probe_before"]["probe"].GetString(), "ingest_event");
  EXPECT_STREQ(d["exit"]["signal"].GetString(), "SIGSEGV");
}

}  // namespace
}  // namespace meshwatch

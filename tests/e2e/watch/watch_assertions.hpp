#pragma once
// Small helpers the watch e2e tests share: /status parsing, incident look-ups, file reading.
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace meshwatch::test {

inline bool equals(std::optional<double> v, double want) { return v && *v == want; }

inline rapidjson::Document parse_json(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  return doc;
}

/** Incidents of `kind` on /status (open and recent together); empty `kind`: all of them. */
inline std::vector<const rapidjson::Value*> status_incidents(const rapidjson::Document& status,
                                                             const std::string& kind = "") {
  std::vector<const rapidjson::Value*> out;
  if (!status.IsObject() || !status.HasMember("incidents") || !status["incidents"].IsObject()) {
    return out;
  }
  for (const char* list : {"open", "recent"}) {
    if (!status["incidents"].HasMember(list) || !status["incidents"][list].IsArray()) {
      continue;
    }
    for (const auto& inc : status["incidents"][list].GetArray()) {
      if (kind.empty() ||
          (inc.HasMember("kind") && inc["kind"].IsString() && kind == inc["kind"].GetString())) {
        out.push_back(&inc);
      }
    }
  }
  return out;
}

/** The `process` object of the first target on /status, or nullptr. */
inline const rapidjson::Value* status_process(const rapidjson::Document& status) {
  if (!status.IsObject() || !status.HasMember("targets") || !status["targets"].IsArray() ||
      status["targets"].Empty() || !status["targets"][0]["process"].IsObject()) {
    return nullptr;
  }
  return &status["targets"][0]["process"];
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/** Incidents of `kind` in the JSON-lines incident log; -1 if a line is not a JSON object. */
inline int logged_incidents(const std::filesystem::path& log, const std::string& kind) {
  std::istringstream in(slurp(log));
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto doc = parse_json(line);
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("kind") || !doc["kind"].IsString()) {
      return -1;
    }
    if (kind == doc["kind"].GetString()) {
      ++n;
    }
  }
  return n;
}

}  // namespace meshwatch::test

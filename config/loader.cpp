#include "config/loader.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "config/detail/sections.hpp"
#include "config/detail/yaml_reader.hpp"

namespace meshwatch {
namespace {

config read_config(detail::reader& r, const YAML::Node& root) {
  config c;
  const detail::located top{root, root.Mark(), ""};
  const detail::mapping m{r, top, {"admin", "defaults", "targets", "probes", "incidents"}};
  if (!m.valid()) {
    return c;
  }
  if (std::optional<detail::located> admin = m.find("admin")) {
    c.admin = detail::read_admin(r, *admin);
  }
  if (std::optional<detail::located> defaults = m.find("defaults")) {
    c.defaults = detail::read_defaults(r, *defaults);
  }
  std::vector<detail::target_info> targets;
  if (std::optional<detail::located> list = m.require("targets")) {
    c.targets = detail::read_targets(r, *list, targets);
  }
  if (std::optional<detail::located> list = m.find("probes")) {
    c.probes = detail::read_probes(r, *list, c.defaults, targets);
  }
  if (std::optional<detail::located> incidents = m.find("incidents")) {
    c.incidents = detail::read_incidents(r, *incidents);
  }
  return c;
}

}  // namespace

std::string config_error::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

load_result load_config_text(std::string_view yaml, std::string_view file_name, const load_options& options) {
  const std::string dir =
      options.base_directory.value_or(std::filesystem::path{file_name}.parent_path().string());
  detail::reader r{std::string{file_name}, options, dir};
  const YAML::Mark start;  // 0:0, reported as 1:1
  load_result result;
  if (yaml.size() > max_config_bytes) {
    r.error(start, "the config is larger than " + std::to_string(max_config_bytes) + " bytes");
    result.errors = r.take_errors();
    return result;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string{yaml});
  } catch (const YAML::Exception& e) {
    // yaml-cpp stops at the first syntax error, so this one is reported alone.
    r.error(e.mark, "YAML syntax error: " + e.msg);
    result.errors = r.take_errors();
    return result;
  }
  if (documents.empty() || documents[0].IsNull()) {
    r.error(start, "the config is empty (it needs at least 'targets')");
  } else {
    if (documents.size() > 1) {
      r.error(documents[1].Mark(), "a config holds one YAML document; remove the second one ('---')");
    }
    config c = read_config(r, documents[0]);
    if (r.error_count() == 0) {
      result.value = std::move(c);
    }
  }
  result.errors = r.take_errors();
  return result;
}

load_result load_config_file(const std::string& path, const load_options& options) {
  const auto fail = [&](std::string message) {
    load_result result;
    result.errors.push_back(config_error{path, 1, 1, std::move(message)});
    return result;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return fail("cannot read the config: it is a directory");
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    return fail("cannot read the config: " + std::generic_category().message(errno));
  }
  // One byte past the cap tells "too big" apart without trusting st_size (pipes have none).
  std::string text(max_config_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return fail("cannot read the config: read error");
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  return load_config_text(text, path, options);
}

}  // namespace meshwatch

#include "config/detail/yaml_reader.hpp"

#include <algorithm>
#include <charconv>

#include "config/duration.hpp"
#include "config/secret_file.hpp"

namespace meshwatch::detail {

reader::reader(std::string file_name, const load_options& options, std::string config_dir)
    : file_(std::move(file_name)),
      env_(options.env ? options.env : process_env()),
      config_dir_(std::move(config_dir)) {}

void reader::error(const YAML::Mark& at, std::string message) {
  if (truncated_) {
    return;
  }
  if (errors_.size() + 1 >= max_config_errors) {
    truncated_ = true;
    message = "too many errors; stopping after " + std::to_string(max_config_errors - 1);
  }
  errors_.push_back(make_error(file_, at, std::move(message)));
}

std::vector<config_error> reader::take_errors() {
  // Sections report in reading order, which is not always file order (e.g. a duplicate name is
  // known only after the whole entry was read); editors and humans want file order.
  const auto end = truncated_ ? errors_.end() - 1 : errors_.end();
  std::stable_sort(errors_.begin(), end, [](const config_error& a, const config_error& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return std::move(errors_);
}

config_error make_error(const std::string& file, const YAML::Mark& at, std::string message) {
  config_error e;
  e.file = file;
  e.line = at.line >= 0 ? at.line + 1 : 1;
  e.column = at.column >= 0 ? at.column + 1 : 1;
  e.message = std::move(message);
  return e;
}

std::string_view describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "empty";
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string{key} : parent + "." + std::string{key};
}

std::string position(const YAML::Mark& at) {
  return std::to_string(at.line >= 0 ? at.line + 1 : 1) + ":" +
         std::to_string(at.column >= 0 ? at.column + 1 : 1);
}

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (std::string_view item : items) {
    out += out.empty() ? "" : ", ";
    out += item;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += out.empty() ? "" : ", ";
    out += item;
  }
  return out;
}

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

mapping::mapping(reader& r, const located& at, std::initializer_list<std::string_view> allowed,
                 std::size_t max_keys)
    : r_(&r), self_(at) {
  if (!at.node.IsMap()) {
    r.error(at, (at.path.empty() ? "the config" : at.path) + " must be a mapping, not " +
                    std::string{describe(at.node)});
    return;
  }
  valid_ = true;
  const std::string where = at.path.empty() ? "at the top level" : "in " + at.path;
  bool too_many = false;
  // Copies, not references: yaml-cpp's iterator hands out a temporary pair per element.
  for (const auto& pair : at.node) {
    const YAML::Node key = pair.first;
    if (!key.IsScalar()) {
      r.error(key.Mark(), "keys must be plain strings " + where);
      continue;
    }
    const std::string& name = key.Scalar();
    if (allowed.size() != 0 && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      r.error(key.Mark(), "unknown key '" + name + "' " + where + " (allowed: " + join(allowed) + ")");
      continue;
    }
    // yaml-cpp keeps both entries of a repeated key; which one wins would be an accident.
    const auto first =
        std::find_if(entries_.begin(), entries_.end(), [&](const entry& e) { return e.key == name; });
    if (first != entries_.end()) {
      r.error(key.Mark(),
              "duplicate key '" + name + "' " + where + " (first at " + position(first->key_mark) + ")");
      continue;
    }
    if (entries_.size() == max_keys) {
      if (!too_many) {
        r.error(key.Mark(), "too many keys " + where + " (at most " + std::to_string(max_keys) + ")");
        too_many = true;
      }
      continue;
    }
    const YAML::Node value = pair.second;
    // An empty value (`key:`) gets the next line's mark from yaml-cpp; the key is what the user wrote.
    const YAML::Mark mark = value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
    // Free-form keys (header names, JSON pointers) may contain dots and slashes: bracket them.
    std::string path = allowed.size() == 0 ? at.path + "[\"" + name + "\"]" : join_path(at.path, name);
    entries_.push_back({name, key.Mark(), located{value, mark, std::move(path)}});
  }
}

std::optional<located> mapping::find(std::string_view key) const {
  for (const entry& e : entries_) {
    if (e.key == key) {
      return e.value;
    }
  }
  return std::nullopt;
}

std::optional<located> mapping::require(std::string_view key) const {
  std::optional<located> found = find(key);
  if (!found && valid_) {
    const std::string where = self_.path.empty() ? "at the top level" : "in " + self_.path;
    r_->error(self_, "missing required key '" + std::string{key} + "' " + where);
  }
  return found;
}

YAML::Mark mapping::key_mark(std::string_view key) const {
  for (const entry& e : entries_) {
    if (e.key == key) {
      return e.key_mark;
    }
  }
  return self_.mark;
}

located element(const located& list, std::size_t index) {
  const YAML::Node node = list.node[index];
  const YAML::Mark mark = node.Mark().is_null() ? list.mark : node.Mark();
  return located{node, mark, list.path + "[" + std::to_string(index) + "]"};
}

std::optional<std::vector<located>> read_list(reader& r, const located& at, std::size_t max_items) {
  if (!at.node.IsSequence()) {
    r.error(at, at.path + " must be a list, not " + std::string{describe(at.node)});
    return std::nullopt;
  }
  if (at.node.size() > max_items) {
    r.error(at, at.path + " has " + std::to_string(at.node.size()) + " entries (at most " +
                    std::to_string(max_items) + ")");
    return std::nullopt;
  }
  std::vector<located> items;
  for (std::size_t i = 0; i < at.node.size(); ++i) {
    items.push_back(element(at, i));
  }
  return items;
}

namespace {

std::optional<std::string> scalar_text(reader& r, const located& at, std::string_view what) {
  if (!at.node.IsScalar()) {
    r.error(at, at.path + " must be " + std::string{what} + ", not " + std::string{describe(at.node)});
    return std::nullopt;
  }
  if (!r.expand_env) {
    return at.node.Scalar();
  }
  parsed<std::string> expanded = expand_env(at.node.Scalar(), r.env());
  if (!expanded) {
    r.error(at, at.path + ": " + expanded.error);
    return std::nullopt;
  }
  return std::move(*expanded.value);
}

}  // namespace

std::optional<std::string> read_scalar(reader& r, const located& at) {
  return scalar_text(r, at, "a string");
}

std::optional<std::string> read_string(reader& r, const located& at) {
  std::optional<std::string> text = scalar_text(r, at, "a string");
  if (text && text->empty()) {
    r.error(at, at.path + " must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> read_int(reader& r, const located& at, std::int64_t min, std::int64_t max) {
  std::optional<std::string> text = scalar_text(r, at, "an integer");
  if (!text) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || ptr != end) {
    r.error(at, at.path + " must be an integer, got '" + *text + "'");
    return std::nullopt;
  }
  if (value < min || value > max) {
    r.error(at, at.path + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                    ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(reader& r, const located& at) {
  std::optional<std::string> text = scalar_text(r, at, "true or false");
  if (!text) {
    return std::nullopt;
  }
  if (*text == "true" || *text == "false") {
    return *text == "true";
  }
  r.error(at, at.path + " must be true or false, got '" + *text + "'");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> read_duration(reader& r, const located& at,
                                                       std::chrono::milliseconds min) {
  std::optional<std::string> text = scalar_text(r, at, "a duration");
  if (!text) {
    return std::nullopt;
  }
  parsed<std::chrono::milliseconds> d = parse_duration(*text);
  if (!d) {
    r.error(at, at.path + ": invalid duration '" + *text + "': " + d.error);
    return std::nullopt;
  }
  if (*d.value < min) {
    r.error(at, at.path + " must be at least " + format_duration(min) + ", got " + *text);
    return std::nullopt;
  }
  return *d.value;
}

std::optional<std::vector<std::string>> read_string_list(reader& r, const located& at,
                                                         std::size_t max_items) {
  std::optional<std::vector<located>> items = read_list(r, at, max_items);
  if (!items) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const located& item : *items) {
    std::optional<std::string> s = read_string(r, item);
    ok = ok && s.has_value();
    if (s) {
      out.push_back(std::move(*s));
    }
  }
  return ok ? std::optional{std::move(out)} : std::nullopt;
}

std::optional<secret> read_secret(reader& r, const located& at, std::string& resolved) {
  std::optional<std::string> path = read_string(r, at);
  if (!path) {
    return std::nullopt;
  }
  resolved = resolve_secret_path(*path, r.config_dir(), r.env());
  parsed<secret> value = read_secret_file(resolved);
  if (!value) {
    r.error(at, at.path + ": " + value.error);
    return std::nullopt;
  }
  return std::move(*value.value);
}

std::optional<std::string> read_one_of(reader& r, const mapping& m,
                                       std::initializer_list<std::string_view> choices) {
  if (!m.valid()) {
    return std::nullopt;
  }
  std::vector<const mapping::entry*> set;
  for (const mapping::entry& e : m.entries()) {
    if (std::find(choices.begin(), choices.end(), e.key) != choices.end()) {
      set.push_back(&e);
    }
  }
  if (set.empty()) {
    r.error(m.self(), m.self().path + " needs exactly one of " + join(choices));
    return std::nullopt;
  }
  if (set.size() > 1) {
    r.error(set[1]->key_mark, m.self().path + " sets both '" + set[0]->key + "' and '" + set[1]->key +
                                  "'; exactly one of " + join(choices) + " is allowed");
    return std::nullopt;
  }
  return set[0]->key;
}

}  // namespace meshwatch::detail

#include "probes/shape_fingerprint.hpp"

#include <rapidjson/document.h>

#include <memory>

#include "probes/json_text.hpp"

namespace meshwatch {
namespace {

// The merged shape of every value seen at one place in the document.
struct shape_node {
  std::uint8_t kinds = 0;
  bool cut = false;  // a limit stopped the descent: contents unknown
  std::map<std::string, std::unique_ptr<shape_node>> members;
  std::unique_ptr<shape_node> element;  // null: no array element seen
};

constexpr std::string_view element_segment = "[]";

std::uint8_t kind_of(const rapidjson::Value& v) {
  if (v.IsBool()) {
    return shape_boolean;
  }
  if (v.IsNull()) {
    return shape_null;
  }
  if (v.IsNumber()) {
    return shape_number;
  }
  if (v.IsString()) {
    return shape_string;
  }
  return v.IsObject() ? shape_object : shape_array;
}

class builder {
 public:
  explicit builder(const shape_limits& limits) : limits_(limits), visits_left_(limits.max_visits) {}

  // Recursion depth is bounded by max_depth, so the stack stays small on any input.
  void add(shape_node& into, const rapidjson::Value& v, int depth) {
    into.kinds |= kind_of(v);
    if (!v.IsObject() && !v.IsArray()) {
      return;
    }
    if (visits_left_ == 0 || depth >= limits_.max_depth) {
      into.cut = true;
      return;
    }
    --visits_left_;
    if (v.IsObject()) {
      if (v.MemberCount() > limits_.max_keys) {
        into.cut = true;
        return;
      }
      for (const auto& m : v.GetObject()) {
        const std::string key = key_text(std::string_view{m.name.GetString(), m.name.GetStringLength()});
        std::unique_ptr<shape_node>& child = into.members[key];
        if (!child) {
          child = std::make_unique<shape_node>();
        }
        add(*child, m.value, depth + 1);
      }
      return;
    }
    const rapidjson::SizeType samples = v.Size() < limits_.max_array_samples
                                            ? v.Size()
                                            : static_cast<rapidjson::SizeType>(limits_.max_array_samples);
    for (rapidjson::SizeType i = 0; i < samples; ++i) {
      if (!into.element) {
        into.element = std::make_unique<shape_node>();
      }
      add(*into.element, v[i], depth + 1);
    }
  }

 private:
  std::string key_text(std::string_view key) const {
    if (key.size() <= limits_.max_key_bytes) {
      return std::string{key};
    }
    return std::string{key.substr(0, limits_.max_key_bytes)} + "...";
  }

  const shape_limits& limits_;
  std::size_t visits_left_;
};

bool is_plain_key(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  for (char c : key) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

void render(const shape_node& node, std::string& out);

void render_key(std::string_view key, std::string& out) {
  if (is_plain_key(key)) {
    out += key;
    return;
  }
  out += '"';
  for (char c : printable_for_detail(key, key.size())) {
    if (c == '"') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
}

void render(const shape_node& node, std::string& out) {
  const std::uint8_t scalars = node.kinds & (shape_boolean | shape_null | shape_number | shape_string);
  bool first = true;
  const auto separate = [&] {
    if (!first) {
      out += '|';
    }
    first = false;
  };
  if (scalars != 0) {
    separate();
    out += shape_kinds_text(scalars);
  }
  if ((node.kinds & shape_object) != 0) {
    separate();
    if (node.cut) {
      out += "{…}";
    } else {
      out += '{';
      bool first_member = true;
      for (const auto& [key, child] : node.members) {
        if (!first_member) {
          out += ',';
        }
        first_member = false;
        render_key(key, out);
        out += ':';
        render(*child, out);
      }
      out += '}';
    }
  }
  if ((node.kinds & shape_array) != 0) {
    separate();
    if (node.cut) {
      out += "[…]";
    } else if (!node.element) {
      out += "[]";
    } else {
      out += '[';
      render(*node.element, out);
      out += ']';
    }
  }
}

// RFC 6901 escaping, so a key containing '/' cannot fake a deeper path.
std::string escape_segment(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void flatten(const shape_node& node, const std::string& path, bool array_element,
             std::map<std::string, shape_entry>& out) {
  const bool containers = (node.kinds & (shape_object | shape_array)) != 0;
  const bool empty_array = (node.kinds & shape_array) != 0 && !node.element;
  out[path] = shape_entry{node.kinds, !(containers && (node.cut || empty_array)), array_element};
  for (const auto& [key, child] : node.members) {
    flatten(*child, path + "/" + escape_segment(key), false, out);
  }
  if (node.element) {
    flatten(*node.element, path + "/" + std::string{element_segment}, true, out);
  }
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string parent_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

// A path only on one side is news only when that side's parent is known on the other side:
// present, with its children known and of the container kind the path lives in.
bool parent_known(const std::string& path, const shape_entry& entry,
                  const std::map<std::string, shape_entry>& other) {
  const auto parent = other.find(parent_of(path));
  if (parent == other.end() || !parent->second.children_known) {
    return false;
  }
  const std::uint8_t needed = entry.array_element ? shape_array : shape_object;
  return (parent->second.kinds & needed) != 0;
}

void one_sided(const std::map<std::string, shape_entry>& from,
               const std::map<std::string, shape_entry>& other, std::vector<std::string>& out) {
  for (const auto& [path, entry] : from) {
    if (other.count(path) == 0 && parent_known(path, entry, other)) {
      out.push_back(path + ": " + shape_kinds_text(entry.kinds));
    }
  }
}

}  // namespace

std::string shape_kinds_text(std::uint8_t kinds) {
  static constexpr std::pair<shape_kind, std::string_view> names[] = {
      {shape_boolean, "boolean"}, {shape_null, "null"},     {shape_number, "number"},
      {shape_string, "string"},   {shape_object, "object"}, {shape_array, "array"},
  };
  std::string out;
  for (const auto& [kind, name] : names) {
    if ((kinds & kind) != 0) {
      out += (out.empty() ? "" : "|");
      out += name;
    }
  }
  return out.empty() ? std::string{"nothing"} : out;
}

shape_fingerprint fingerprint_json(const rapidjson::Value& root, const shape_limits& limits) {
  shape_node tree;
  builder{limits}.add(tree, root, 0);
  shape_fingerprint fp;
  render(tree, fp.text);
  fp.hash = fnv1a(fp.text);
  flatten(tree, "", false, fp.paths);
  return fp;
}

shape_diff diff_shapes(const shape_fingerprint& learned, const shape_fingerprint& current) {
  shape_diff diff;
  if (learned == current) {
    return diff;
  }
  one_sided(current.paths, learned.paths, diff.added);
  one_sided(learned.paths, current.paths, diff.removed);
  for (const auto& [path, was] : learned.paths) {
    const auto now = current.paths.find(path);
    if (now == current.paths.end()) {
      continue;
    }
    // null on either side is data (an unset field), not a type change.
    const std::uint8_t was_typed = was.kinds & ~shape_null;
    const std::uint8_t now_typed = now->second.kinds & ~shape_null;
    if (was_typed != 0 && now_typed != 0 && was_typed != now_typed) {
      diff.retyped.push_back((path.empty() ? std::string{"(document)"} : path) + ": " +
                             shape_kinds_text(was.kinds) + " → " + shape_kinds_text(now->second.kinds));
    }
  }
  return diff;
}

std::string shape_diff::summary(std::size_t max_items) const {
  std::string out;
  std::size_t shown = 0;
  std::size_t total = 0;
  const auto list = [&](std::string_view label, const std::vector<std::string>& items) {
    for (const std::string& item : items) {
      ++total;
      if (shown == max_items) {
        continue;
      }
      ++shown;
      out += (out.empty() ? "" : "; ");
      out += label;
      out += ' ';
      out += item;
    }
  };
  list("retyped", retyped);
  list("removed", removed);
  list("added", added);
  if (total > shown) {
    out += "; +" + std::to_string(total - shown) + " more";
  }
  return out;
}

}  // namespace meshwatch

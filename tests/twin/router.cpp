#include "tests/twin/router.hpp"

namespace meshwatch::twin {
namespace {

std::vector<std::string> non_empty_segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!seg.empty()) out.push_back(std::move(seg));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

const std::string& route_request::param(const std::string& name) const {
  static const std::string empty;
  auto it = params.find(name);
  return it == params.end() ? empty : it->second;
}

std::string route_request::query_or(const std::string& key, const std::string& fallback) const {
  auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

void router::add(std::string method, std::string path_template, route_handler handler) {
  route r;
  r.method = std::move(method);
  r.segments = non_empty_segments(path_template);
  r.exact = path_template.find(':') == std::string::npos;
  r.path_template = std::move(path_template);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

std::optional<router::match> router::find(const std::string& method, const std::string& path) const {
  for (const auto& r : routes_) {
    if (r.exact && r.method == method && r.path_template == path) return match{&r, {}};
  }
  auto segments = non_empty_segments(path);
  for (const auto& r : routes_) {
    if (r.exact || r.method != method || r.segments.size() != segments.size()) continue;
    match m{&r, {}};
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      if (r.segments[i][0] == ':') {
        m.params[r.segments[i].substr(1)] = segments[i];
      } else {
        ok = r.segments[i] == segments[i];
      }
    }
    if (ok) return m;
  }
  return std::nullopt;
}

}  // namespace meshwatch::twin

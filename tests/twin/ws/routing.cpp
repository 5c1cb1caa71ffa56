#include "tests/twin/ws/routing.hpp"

#include <vector>

namespace meshwatch::twin::ws_detail {
namespace {

// Like Mesh's String.split (Rust's str::split): empty fields are kept, so "/a/" has three.
std::vector<std::string> split_slash(const std::string& s) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  for (;;) {
    const auto slash = s.find('/', start);
    if (slash == std::string::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

connect_route route_connection(const upgrade_request& request) {
  const std::string& path = request.target;
  if (path.find("/stream/projects/") != std::string::npos) {
    const auto parts = split_slash(path);
    // Element 1 == "ws" means the Vite proxy prefix; other prefixes shift the id (a known bug).
    const std::size_t index = parts.size() > 1 && parts[1] == "ws" ? 4 : 3;
    if (index >= parts.size()) {
      // With a keep-empty split this cannot happen for a path containing "/stream/projects/";
      // kept so that the twin fails the way Mesher would if it ever did.
      return route_panic{"mesh_list_get: index " + std::to_string(index) + " out of bounds (len " +
                         std::to_string(parts.size()) + ")"};
    }
    return route_subscriber{"project:" + parts[index]};
  }
  // Mesher's Map.has_key is case-sensitive: `X-Sentry-Auth` (what Sentry SDKs send) is rejected.
  if (has_header_exact(request, "x-sentry-auth") || has_header_exact(request, "authorization")) {
    return route_ingest{};
  }
  return route_rejected{};
}

}  // namespace meshwatch::twin::ws_detail

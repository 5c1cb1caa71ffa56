#pragma once
// Mesher's router (RUNTIME.md §8.3): exact routes first, then `:param` routes in registration
// order; method must match exactly; `:param` matching ignores empty path segments.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/twin/http_wire.hpp"

namespace meshwatch::twin {

struct route_request {
  const http_request& http;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> query;

  const std::string& param(const std::string& name) const;
  /** Query value or `fallback` when the key is absent. */
  std::string query_or(const std::string& key, const std::string& fallback) const;
};

using route_handler = std::function<http_response(route_request&)>;

struct route {
  std::string method;
  std::string path_template;  // e.g. /api/v1/issues/:id/resolve — also the fault scope key
  std::vector<std::string> segments;
  bool exact = true;
  route_handler handler;
};

class router {
 public:
  void add(std::string method, std::string path_template, route_handler handler);

  struct match {
    const route* matched = nullptr;
    std::map<std::string, std::string> params;
  };
  std::optional<match> find(const std::string& method, const std::string& path) const;
  const std::vector<route>& routes() const { return routes_; }

 private:
  std::vector<route> routes_;
};

}  // namespace meshwatch::twin

#include "config/probe_config.hpp"

namespace meshwatch {

std::string_view to_string(json_type t) {
  switch (t) {
    case json_type::string: return "string";
    case json_type::number: return "number";
    case json_type::boolean: return "boolean";
    case json_type::object: return "object";
    case json_type::array: return "array";
    case json_type::null: return "null";
  }
  return "?";
}

std::string_view to_string(pg_check c) {
  switch (c) {
    case pg_check::reachable: return "reachable";
    case pg_check::partition_horizon: return "partition_horizon";
    case pg_check::connections: return "connections";
    case pg_check::long_statements: return "long_statements";
  }
  return "?";
}

}  // namespace meshwatch

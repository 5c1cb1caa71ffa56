#pragma once
// One API request: routing, the 404 fast path, and the route-scoped faults around the handler.
#include "tests/twin/http_server.hpp"
#include "tests/twin/router.hpp"

namespace meshwatch::twin {

struct twin_context;

void dispatch_api_request(twin_context& ctx, const router& routes, http_connection& conn, http_request& req);

/** The `badjson` fault: the body made invalid the way unescaped interpolation does it. */
std::string corrupt_json(std::string body);
/** The `shape` fault: `key` (or the first key) removed from the top-level object, or from every
    element object of a top-level array. Bodies that are not JSON stay as they are. */
std::string drop_key(const std::string& body, const std::string& key);

}  // namespace meshwatch::twin

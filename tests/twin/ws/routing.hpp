#pragma once
// Mesher's `ws_on_connect` (mesher/ingestion/ws_handler.mpl): which mode a connection gets and
// which room a subscriber joins, quirks included (fixed path segment, query string kept).
#include <string>
#include <variant>

#include "tests/twin/ws/handshake.hpp"

namespace meshwatch::twin::ws_detail {

struct route_subscriber {
  std::string room;  // "project:<id>", id taken verbatim from the path
};
struct route_ingest {};
struct route_rejected {};
/** Mesher's `List.get` out of range: the real process aborts (FAILURES F-16). */
struct route_panic {
  std::string message;
};

using connect_route = std::variant<route_subscriber, route_ingest, route_rejected, route_panic>;

connect_route route_connection(const upgrade_request& request);

}  // namespace meshwatch::twin::ws_detail

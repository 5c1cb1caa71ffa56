#pragma once
// Mesher's schema (SCHEMA.md) as our own idempotent DDL, plus the daily `events` partitions.
#include <optional>
#include <string>

namespace meshwatch::twin {

class pg_pool;

/** Extension, tables, indexes. Error text on failure. Safe to run concurrently (advisory lock). */
std::optional<std::string> create_schema(pg_pool& db);

/** `events_YYYYMMDD` for today .. today+`days_ahead` (DB clock). Error text on failure. */
std::optional<std::string> create_partitions(pg_pool& db, int days_ahead);

}  // namespace meshwatch::twin

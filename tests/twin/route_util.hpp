#pragma once
// Helpers for hand-built JSON the way Mesher writes it: string values interpolated WITHOUT
// escaping (API.md §2.4), numbers bare, JSONB embedded raw.
#include <optional>
#include <string>

#include "tests/twin/http_wire.hpp"
#include "tests/twin/pg.hpp"
#include "tests/twin/router.hpp"

namespace meshwatch::twin {

struct twin_context;

/** `"` + s + `"` — deliberately unescaped. */
std::string q(const std::string& s);
/** Quoted cell, or `null` for SQL NULL. */
std::string q_or_null(const pg_result& r, std::size_t row, std::size_t column);

http_response json(int status, std::string body);
/** `{"error":"<text>"}` unescaped. */
http_response error_response(int status, const std::string& text);
http_response ok_affected(long affected);

/** `:project_id` of "slug OK" routes: 36 chars = verbatim, else slug lookup ("" if unknown). */
std::string resolve_project_id(twin_context& ctx, const std::string& raw);

/** `limit` of search routes: integer 1..100, anything else 25. */
int page_limit(const route_request& req);

/** Top-level field of a JSON object body in its text form: strings raw, other values as JSON
    text; nullopt when the body is not a JSON object, the field is missing, or JSON null. */
std::optional<std::string> json_field_text(const std::string& body, const std::string& field);

}  // namespace meshwatch::twin

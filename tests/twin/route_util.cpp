#include "tests/twin/route_util.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {

std::string q(const std::string& s) { return "\"" + s + "\""; }

std::string q_or_null(const pg_result& r, std::size_t row, std::size_t column) {
  return r.is_null(row, column) ? std::string("null") : q(r.text(row, column));
}

http_response json(int status, std::string body) { return http_response{status, std::move(body)}; }

http_response error_response(int status, const std::string& text) {
  return json(status, "{\"error\":\"" + text + "\"}");
}

http_response ok_affected(long affected) {
  return json(200, "{\"status\":\"ok\",\"affected\":" + std::to_string(affected) + "}");
}

std::string resolve_project_id(twin_context& ctx, const std::string& raw) {
  if (raw.size() == 36) return raw;
  auto r = ctx.db.query("SELECT id::text FROM projects WHERE slug = $1", {raw});
  return r.ok() && !r.empty() ? r.text(0, 0) : std::string();
}

int page_limit(const route_request& req) {
  auto it = req.query.find("limit");
  if (it == req.query.end()) return 25;
  int v = 0;
  const auto& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 1 || v > 100) return 25;
  return v;
}

std::optional<std::string> json_field_text(const std::string& body, const std::string& field) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto it = doc.FindMember(field.c_str());
  if (it == doc.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  it->value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace meshwatch::twin

#include "tests/twin/api_dispatch.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <csignal>
#include <cstdlib>
#include <thread>

#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

bool drop_member(rapidjson::Value& object, const std::string& key) {
  if (!object.IsObject() || object.MemberCount() == 0) return false;
  if (key.empty()) {
    object.EraseMember(object.MemberBegin());
    return true;
  }
  return object.EraseMember(key.c_str());
}

[[noreturn]] void die_by_sigsegv() {
  std::signal(SIGSEGV, SIG_DFL);
  std::raise(SIGSEGV);
  std::abort();  // not reached
}

}  // namespace

std::string corrupt_json(std::string body) {
  auto at = body.find("\":\"");
  if (at != std::string::npos) {
    body.insert(at + 3, "unescaped \"quote\"\t");
  } else {
    body += "\t\"";
  }
  return body;
}

std::string drop_key(const std::string& body, const std::string& key) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError()) return body;
  if (doc.IsArray()) {
    for (auto& element : doc.GetArray()) drop_member(element, key);
  } else {
    drop_member(doc, key);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void dispatch_api_request(twin_context& ctx, const router& routes, http_connection& conn, http_request& req) {
  auto match = routes.find(req.method, req.path);
  if (!match) {
    conn.respond(http_response{404, "Not Found"});  // text, despite the JSON content type
    return;
  }
  const std::string& path_template = match->matched->path_template;
  auto faults = ctx.faults.for_route(path_template);
  auto has = [&](route_fault_kind kind) -> const route_fault* {
    for (const auto& f : faults) {
      if (f.kind == kind) return &f;
    }
    return nullptr;
  };

  if (const auto* f = has(route_fault_kind::panic)) {
    // F-03: a Mesh-level panic aborts the process; the in-flight request gets no response.
    ctx.con.err_block(rust_abort_panic_text(f->message));
    std::abort();
  }
  if (const auto* f = has(route_fault_kind::handler_panic)) {
    // RUNTIME.md §5.5 (a): caught by the handler wrapper, connection closed, process lives.
    ctx.con.err_block(rust_caught_panic_text(
        "/rustc/254b59607d4417e9dffbc307138ae5c86280fe4c/library/alloc/src/raw_vec/mod.rs:28:5", f->message));
    ctx.con.err("[mesh-rt] HTTP handler panicked: Any { .. }");
    return;
  }
  if (has(route_fault_kind::hang)) {
    ctx.faults.hang_while_active(path_template, [&] { return conn.peer_gone(); });
    if (conn.peer_gone()) return;
  }
  if (const auto* f = has(route_fault_kind::slow)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(f->ms));
  }

  http_response response;
  if (const auto* f = has(route_fault_kind::status)) {
    response = http_response{500, "{\"error\":\"" + f->message + "\"}"};
  } else {
    route_request rr{req, match->params, req.query()};
    try {
      response = match->matched->handler(rr);
    } catch (const std::exception&) {
      // A twin bug must not look like a Mesher answer: close without response (as a caught panic).
      ctx.con.err("[mesh-rt] HTTP handler panicked: Any { .. }");
      return;
    }
  }
  if (has(route_fault_kind::badjson)) response.body = corrupt_json(response.body);
  if (const auto* f = has(route_fault_kind::shape)) response.body = drop_key(response.body, f->key);
  conn.respond(response);
  if (has(route_fault_kind::segv)) die_by_sigsegv();  // F-01: answer first, then die silently
}

}  // namespace meshwatch::twin

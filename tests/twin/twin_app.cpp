#include "tests/twin/twin_app.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/twin/api_dispatch.hpp"
#include "tests/twin/control.hpp"
#include "tests/twin/heartbeats.hpp"
#include "tests/twin/pipeline.hpp"
#include "tests/twin/routes.hpp"
#include "tests/twin/schema.hpp"
#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

std::string port_or_null(std::optional<unsigned short> port) {
  return port ? std::to_string(*port) : std::string("null");
}

bool write_ports_file(const std::string& path, std::optional<unsigned short> http,
                      std::optional<unsigned short> ws, std::optional<unsigned short> control) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"http\":" << port_or_null(http) << ",\"ws\":" << port_or_null(ws)
        << ",\"control\":" << port_or_null(control) << ",\"pid\":" << ::getpid() << "}\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Start-up lines 4–18 of API.md §1.4 (standalone mode).
constexpr const char* service_lines[] = {
    "[Mesher] OrgService started",
    "[Mesher] ProjectService started",
    "[Mesher] UserService started",
    "[Mesher] StreamManager started",
    "[Mesher] StreamManager drain ticker started (250ms interval)",
    "[Mesher] RateLimiter started (60s window, 1000 max)",
    "[Mesher] EventProcessor started",
    "[Mesher] StorageWriter started (default project)",
    "[Mesher] Running in standalone mode (skipping global registration)",
    "[Mesher] PipelineRegistry started and registered",
};
constexpr const char* timer_lines[] = {
    "[Mesher] Health checker started (10s interval)",
    "[Mesher] Spike checker started (5 min interval)",
    "[Mesher] Alert evaluator started (30s interval)",
    "[Mesher] Retention cleaner started (24h interval)",
    "[Mesher] Load monitor started (5s interval, threshold: 100 events)",
};

void report_parse_error(console& con, const parse_error& e) {
  switch (e.what) {
    case parse_error::kind::ordinary: con.err("[mesh-rt] HTTP parse error: " + e.reason); return;
    case parse_error::kind::capacity_overflow:
      con.err_block(rust_caught_panic_text(
          "/rustc/254b59607d4417e9dffbc307138ae5c86280fe4c/library/alloc/src/raw_vec/mod.rs:28:5",
          "capacity overflow"));
      con.err("[mesh-rt] HTTP handler panicked: Any { .. }");
      return;
    case parse_error::kind::allocation_failure:
      con.err("memory allocation of " + std::to_string(e.bytes) + " bytes failed");
      std::abort();
  }
}

}  // namespace

int run_twin(const options& opts) {
  static console con;  // outlives detached threads that may still print at exit

  // Twin-only: bind the control port first, so a bad --control-listen fails before any
  // Mesher line is printed.
  bound_listener control_listener;
  if (opts.control_port) {
    control_listener = listen_ipv4(opts.control_host, *opts.control_port);
    if (control_listener.fd < 0) {
      con.err("[mesher-twin] cannot bind control port " + opts.control_host + ":" +
              std::to_string(*opts.control_port) + ": " + control_listener.error);
      return 2;
    }
  }

  con.out("[Mesher] Connecting to PostgreSQL...");
  static pg_pool db(opts.dsn, 10, std::chrono::milliseconds(5000));
  if (db.open_eager(2)) {
    con.out("[Mesher] Failed to connect to PostgreSQL");
    return 0;
  }
  con.out("[Mesher] Running in standalone mode (no distribution)");
  // Twin-only step, silent: Mesher relies on the migration runner for this.
  bool schema_ok = !create_schema(db);
  bool partitions_ok = schema_ok && !create_partitions(db, 7);
  con.out(partitions_ok ? "[Mesher] Partitions created (7 days ahead)" : "[Mesher] Partition error");

  static fault_registry faults;
  static rate_limiter limiter(opts.rate_limit_max, opts.mode == twin_mode::fixed
                                                       ? std::optional(opts.timing.rate_window)
                                                       : std::nullopt);
  static twin_context* ctx_ptr = nullptr;
  static ws_bridge ws(con, [](const std::string& frame) {
    // WS /ingest: hard-coded project `ws-project`, no auth/limit/size check/broadcast (§4.4).
    auto event = process_event(*ctx_ptr, "ws-project", frame);
    return event.error ? "{\"error\":\"" + *event.error + "\"}" : std::string("{\"status\":\"accepted\"}");
  });
  static twin_context ctx{opts.mode, db, con, ws, faults, limiter};
  ctx_ptr = &ctx;

  for (const char* line : service_lines) con.out(line);
  for (const char* line : timer_lines) con.out(line);
  start_heartbeats(ctx, opts.timing);
  con.out("[Mesher] Foundation ready");

  static control_plane control(ctx);
  static http_server control_server(
      http_server_config{std::chrono::seconds(5),
                         16,
                         [](http_connection& c, http_request& r) { control.handle(c, r); },
                         {},
                         {}});
  if (control_listener.fd >= 0) control_server.serve(control_listener.fd);

  con.out("[Mesher] WebSocket server starting on :" + opts.ws_port_raw);
  std::optional<unsigned short> ws_port = ws.listen(opts.ws_port);  // prints its mesh-rt line

  static router routes = build_router(ctx);
  static http_server api_server(
      http_server_config{std::chrono::seconds(30), 512,
                         [](http_connection& c, http_request& r) { dispatch_api_request(ctx, routes, c, r); },
                         [](const parse_error& e) { report_parse_error(con, e); },
                         [](const std::string& error) { con.err("[mesh-rt] accept error: " + error); }});

  con.out("[Mesher] HTTP server starting on :" + opts.http_port_raw);
  auto http_listener = listen_ipv4("0.0.0.0", opts.http_port);
  std::optional<unsigned short> control_port;
  if (control_listener.fd >= 0) control_port = control_listener.port;
  std::optional<unsigned short> http_port;
  if (http_listener.fd >= 0) http_port = http_listener.port;
  if (!opts.ports_file.empty() && !write_ports_file(opts.ports_file, http_port, ws_port, control_port)) {
    con.err("[mesher-twin] cannot write ports file " + opts.ports_file);
  }
  if (http_listener.fd < 0) {
    // F-33: Mesher's main returns but the timer actors keep the process alive without HTTP.
    con.err("[mesh-rt] Failed to start HTTP server on 0.0.0.0:" + std::to_string(opts.http_port) + ": " +
            http_listener.error);
  } else {
    api_server.serve(http_listener.fd);
    con.err("[mesh-rt] HTTP server listening on 0.0.0.0:" + std::to_string(*http_port));
  }
  for (;;) ::pause();  // no signal handlers: SIGTERM/SIGINT kill at once, as in Mesher
}

}  // namespace meshwatch::twin

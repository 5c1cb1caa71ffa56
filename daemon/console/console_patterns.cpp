#include "daemon/console/console_patterns.hpp"

#include <array>

namespace meshwatch {
namespace {

using k = console_event_kind;
using sev = console_severity;
using sr = stream_rule;
using pl = panic_line;
constexpr std::optional<heartbeat> no_beat{};

// Texts from API.md §1.4/§1.5 and RUNTIME.md §3–§5. `.*` parts are Mesher's `<…>` variables.
constexpr std::array builtin_table{
    // ---- start-up, stdout (API.md §1.4) ----
    builtin_pattern{R"(\[Mesher\] Connecting to PostgreSQL\.\.\.)", k::db_connecting, sev::info, sr::out,
                    no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Failed to connect to PostgreSQL)", k::db_connect_failed, sev::fatal,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Running in standalone mode \(no distribution\))", k::standalone_mode,
                    sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Node started: (.*))", k::node_started, sev::info, sr::out, no_beat,
                    pl::none},
    builtin_pattern{R"(\[Mesher\] Node start failed for: (.*))", k::node_start_failed, sev::error, sr::out,
                    no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Connected to peer: (.*))", k::peer_connected, sev::info, sr::out, no_beat,
                    pl::none},
    builtin_pattern{R"(\[Mesher\] Failed to connect to peer: (.*))", k::peer_connect_failed, sev::warning,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] No peers configured)", k::no_peers, sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Partitions created \((\d+) days ahead\))", k::partitions_created, sev::info,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Partition error)", k::partition_error, sev::error, sr::out, no_beat,
                    pl::none},
    builtin_pattern{R"(\[Mesher\] (OrgService started|ProjectService started|UserService started|)"
                    R"(StreamManager started|StreamManager drain ticker started \(250ms interval\)|)"
                    R"(RateLimiter started \(60s window, 1000 max\)|EventProcessor started|)"
                    R"(StorageWriter started \(default project\)|PipelineRegistry started and registered|)"
                    R"(Health checker started \(10s interval\)|Spike checker started \(5 min interval\)|)"
                    R"(Alert evaluator started \(30s interval\)|Retention cleaner started \(24h interval\)|)"
                    R"(Load monitor started \(5s interval, threshold: 100 events\)))",
                    k::service_started, sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Services registered globally as (.*))", k::global_registration, sev::info,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Running in standalone mode \(skipping global registration\))",
                    k::global_registration, sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Foundation ready)", k::foundation_ready, sev::info, sr::out, no_beat,
                    pl::none},
    builtin_pattern{R"(\[Mesher\] WebSocket server starting on :(.*))", k::ws_server_starting, sev::info,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] HTTP server starting on :(.*))", k::http_server_starting, sev::info,
                    sr::out, no_beat, pl::none},
    // ---- periodic, stdout (RUNTIME.md §4, API.md §1.5) ----
    builtin_pattern{R"(\[Mesher\] Load monitor: (\d+ events/5s, \d+ peers))", k::load_monitor, sev::info,
                    sr::out, heartbeat::load_monitor, pl::none},
    builtin_pattern{R"(\[Mesher\] Health check: all services responsive)", k::health_check, sev::info,
                    sr::out, heartbeat::health_check, pl::none},
    builtin_pattern{R"(\[Mesher\] Alert evaluator: checked rules, (\d+) fired)", k::alert_evaluator,
                    sev::info, sr::out, heartbeat::alert_evaluator, pl::none},
    // The error line also proves the evaluator actor ran: it feeds the heartbeat too.
    builtin_pattern{R"(\[Mesher\] Alert evaluator error: (.*))", k::alert_evaluator_error, sev::error,
                    sr::out, heartbeat::alert_evaluator, pl::none},
    builtin_pattern{R"(\[Mesher\] Spike checker: escalated (\d+) archived issues)", k::spike_checker,
                    sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Spike checker error: (.*))", k::spike_checker_error, sev::error, sr::out,
                    no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Retention cleanup: deleted (\d+) expired events)", k::retention_cleanup,
                    sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Retention cleanup error: (.*))", k::retention_cleanup_error, sev::error,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Dropped expired partition: (.*))", k::partition_dropped, sev::info, sr::out,
                    no_beat, pl::none},
    builtin_pattern{R"(\[StorageWriter\] Dropping batch of (\d+) events for project .* after \d+ retries)",
                    k::batch_dropped, sev::error, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[WS\] Connection closed: (\d+))", k::ws_connection_closed, sev::info, sr::out,
                    no_beat, pl::none},
    // ---- cluster, stdout ----
    builtin_pattern{R"(\[Mesher\] New peers detected \((\d+ -> \d+)\), setting up monitors)",
                    k::peers_detected, sev::info, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Monitoring peer: (.*))", k::peer_monitoring, sev::info, sr::out, no_beat,
                    pl::none},
    builtin_pattern{R"(\[Mesher\] Failed to monitor peer: (.*))", k::peer_monitor_failed, sev::warning,
                    sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] Peer lost \((\d+ -> \d+)\) -- NODEDOWN detected)", k::peer_lost,
                    sev::warning, sr::out, no_beat, pl::none},
    builtin_pattern{R"(\[Mesher\] (Load high -- spawning remote processor on .*|)"
                    R"(Spawned remote event_processor_worker on .*|Remote event processor worker started))",
                    k::remote_processor, sev::info, sr::out, no_beat, pl::none},
    // ---- runtime, stderr (RUNTIME.md §5.1–§5.3) ----
    builtin_pattern{R"(\[mesh-rt\] WebSocket server listening on (.*))", k::ws_listening, sev::info, sr::err,
                    no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] Failed to start WebSocket server on (.*))", k::ws_start_failed, sev::error,
                    sr::err, no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] HTTP server listening on (.*))", k::http_listening, sev::info, sr::err,
                    no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] Failed to start HTTP server on (.*))", k::http_start_failed, sev::fatal,
                    sr::err, no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] (HTTPS server listening on .*|Failed to load TLS certificates: .*|)"
                    R"(Failed to bind .*|TLS connection setup failed: .*))",
                    k::https_server, sev::warning, sr::err, no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] accept error: (.*))", k::accept_error, sev::warning, sr::err, no_beat,
                    pl::none},
    builtin_pattern{R"(\[mesh-rt\] HTTP parse error: (.*))", k::http_parse_error, sev::warning, sr::err,
                    no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] WS upgrade failed: (.*))", k::ws_upgrade_failed, sev::warning, sr::err,
                    no_beat, pl::none},
    builtin_pattern{
        R"(\[mesh-rt\] warning: (\d+) bytes buffered beyond HTTP headers during WebSocket upgrade)",
        k::ws_upgrade_buffered, sev::warning, sr::err, no_beat, pl::none},
    builtin_pattern{R"(\[mesh-rt\] HTTP handler panicked: (.*))", k::http_handler_panicked, sev::error,
                    sr::err, no_beat, pl::handler_panicked},
    builtin_pattern{R"(mesh node heartbeat timeout: (.*))", k::node_heartbeat_timeout, sev::error, sr::err,
                    no_beat, pl::none},
    builtin_pattern{R"(mesh node: (.*))", k::node_error, sev::warning, sr::err, no_beat, pl::none},
    // ---- panic blocks, stderr (RUNTIME.md §5.5, FAILURES.md D2); grouped by panic_assembler ----
    // The legacy row comes first: the current header's location part would also match it.
    builtin_pattern{R"(thread '([^']*)'(?: \((\d+)\))? panicked at '(.*)', (.+:\d+:\d+))", std::nullopt,
                    sev::fatal, sr::err, no_beat, pl::legacy_header},
    builtin_pattern{R"(thread '([^']*)'(?: \((\d+)\))? panicked at (.+:\d+:\d+):?)", std::nullopt, sev::fatal,
                    sr::err, no_beat, pl::header},
    builtin_pattern{R"(Mesh panic at (.*))", std::nullopt, sev::fatal, sr::err, no_beat, pl::mesh_message},
    builtin_pattern{R"(note: .*RUST_BACKTRACE.*)", std::nullopt, sev::info, sr::err, no_beat, pl::note},
    builtin_pattern{R"(stack backtrace:)", std::nullopt, sev::info, sr::err, no_beat, pl::backtrace_header},
    builtin_pattern{R"(\s*\d+:(?:\s.*)?)", std::nullopt, sev::info, sr::err, no_beat, pl::backtrace_frame},
    builtin_pattern{R"(\s+at\s.*)", std::nullopt, sev::info, sr::err, no_beat, pl::backtrace_frame},
    builtin_pattern{R"(panic in a function that cannot unwind)", std::nullopt, sev::fatal, sr::err, no_beat,
                    pl::cannot_unwind},
    builtin_pattern{R"(thread caused non-unwinding panic\. aborting\.)", std::nullopt, sev::fatal, sr::err,
                    no_beat, pl::abort},
    builtin_pattern{R"(memory allocation of (\d+) bytes failed)", std::nullopt, sev::fatal, sr::err, no_beat,
                    pl::allocation_failure},
    builtin_pattern{R"()", std::nullopt, sev::info, sr::any, no_beat, pl::blank},
};

}  // namespace

std::span<const builtin_pattern> builtin_patterns() { return builtin_table; }

}  // namespace meshwatch

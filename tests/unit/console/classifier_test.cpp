// Every console text of RUNTIME.md §3–§5 and API.md §1.4–§1.5 on its documented stream, and
// near-misses that must not be taken for them.
#include <gtest/gtest.h>

#include <stdexcept>

#include "daemon/console/console_classifier.hpp"

namespace meshwatch {
namespace {

using k = console_event_kind;
constexpr auto out = console_stream::out;
constexpr auto err = console_stream::err;

struct documented {
  const char* text;
  console_stream stream;
  console_event_kind kind;
  const char* detail;
};

// Printed by Mesher (stdout) and its runtime (stderr), with typical values for the variables.
const documented all_documented[] = {
    // API.md §1.4, start-up, in order
    {"[Mesher] Connecting to PostgreSQL...", out, k::db_connecting, ""},
    {"[Mesher] Failed to connect to PostgreSQL", out, k::db_connect_failed, ""},
    {"[Mesher] Running in standalone mode (no distribution)", out, k::standalone_mode, ""},
    {"[Mesher] Node started: mesher@127.0.0.1:9000", out, k::node_started, "mesher@127.0.0.1:9000"},
    {"[Mesher] Node start failed for: bad name", out, k::node_start_failed, "bad name"},
    {"[Mesher] Connected to peer: other@10.0.0.2:9000", out, k::peer_connected, "other@10.0.0.2:9000"},
    {"[Mesher] Failed to connect to peer: other@10.0.0.2:9000", out, k::peer_connect_failed,
     "other@10.0.0.2:9000"},
    {"[Mesher] No peers configured", out, k::no_peers, ""},
    {"[Mesher] Partitions created (7 days ahead)", out, k::partitions_created, "7"},
    {"[Mesher] Partition error", out, k::partition_error, ""},
    {"[Mesher] OrgService started", out, k::service_started, "OrgService started"},
    {"[Mesher] ProjectService started", out, k::service_started, "ProjectService started"},
    {"[Mesher] UserService started", out, k::service_started, "UserService started"},
    {"[Mesher] StreamManager started", out, k::service_started, "StreamManager started"},
    {"[Mesher] StreamManager drain ticker started (250ms interval)", out, k::service_started,
     "StreamManager drain ticker started (250ms interval)"},
    {"[Mesher] RateLimiter started (60s window, 1000 max)", out, k::service_started,
     "RateLimiter started (60s window, 1000 max)"},
    {"[Mesher] EventProcessor started", out, k::service_started, "EventProcessor started"},
    {"[Mesher] StorageWriter started (default project)", out, k::service_started,
     "StorageWriter started (default project)"},
    {"[Mesher] Services registered globally as mesher_registry@mesher@127.0.0.1:9000", out,
     k::global_registration, "mesher_registry@mesher@127.0.0.1:9000"},
    {"[Mesher] Running in standalone mode (skipping global registration)", out, k::global_registration, ""},
    {"[Mesher] PipelineRegistry started and registered", out, k::service_started,
     "PipelineRegistry started and registered"},
    {"[Mesher] Health checker started (10s interval)", out, k::service_started,
     "Health checker started (10s interval)"},
    {"[Mesher] Spike checker started (5 min interval)", out, k::service_started,
     "Spike checker started (5 min interval)"},
    {"[Mesher] Alert evaluator started (30s interval)", out, k::service_started,
     "Alert evaluator started (30s interval)"},
    {"[Mesher] Retention cleaner started (24h interval)", out, k::service_started,
     "Retention cleaner started (24h interval)"},
    {"[Mesher] Load monitor started (5s interval, threshold: 100 events)", out, k::service_started,
     "Load monitor started (5s interval, threshold: 100 events)"},
    {"[Mesher] Foundation ready", out, k::foundation_ready, ""},
    {"[Mesher] WebSocket server starting on :8081", out, k::ws_server_starting, "8081"},
    {"[Mesher] WebSocket server starting on :abc", out, k::ws_server_starting, "abc"},  // raw env string
    {"[mesh-rt] WebSocket server listening on 0.0.0.0:8081", err, k::ws_listening, "0.0.0.0:8081"},
    {"[mesh-rt] Failed to start WebSocket server on 0.0.0.0:8081: Address already in use (os error 98)", err,
     k::ws_start_failed, "0.0.0.0:8081: Address already in use (os error 98)"},
    {"[Mesher] HTTP server starting on :8080", out, k::http_server_starting, "8080"},
    {"[mesh-rt] HTTP server listening on 0.0.0.0:8080", err, k::http_listening, "0.0.0.0:8080"},
    {"[mesh-rt] Failed to start HTTP server on 0.0.0.0:8080: Address already in use (os error 98)", err,
     k::http_start_failed, "0.0.0.0:8080: Address already in use (os error 98)"},
    // API.md §1.5 / RUNTIME.md §4, during operation
    {"[Mesher] Load monitor: 12 events/5s, 0 peers", out, k::load_monitor, "12 events/5s, 0 peers"},
    {"[Mesher] New peers detected (0 -> 1), setting up monitors", out, k::peers_detected, "0 -> 1"},
    {"[Mesher] Monitoring peer: other@10.0.0.2:9000", out, k::peer_monitoring, "other@10.0.0.2:9000"},
    {"[Mesher] Failed to monitor peer: other@10.0.0.2:9000", out, k::peer_monitor_failed,
     "other@10.0.0.2:9000"},
    {"[Mesher] Peer lost (1 -> 0) -- NODEDOWN detected", out, k::peer_lost, "1 -> 0"},
    {"[Mesher] Load high -- spawning remote processor on other@10.0.0.2:9000", out, k::remote_processor,
     "Load high -- spawning remote processor on other@10.0.0.2:9000"},
    {"[Mesher] Spawned remote event_processor_worker on other@10.0.0.2:9000", out, k::remote_processor,
     "Spawned remote event_processor_worker on other@10.0.0.2:9000"},
    {"[Mesher] Remote event processor worker started", out, k::remote_processor,
     "Remote event processor worker started"},
    {"[Mesher] Health check: all services responsive", out, k::health_check, ""},
    {"[Mesher] Alert evaluator: checked rules, 0 fired", out, k::alert_evaluator, "0"},
    {"[Mesher] Alert evaluator error: pool connect: connection failed: Connection refused (os error 111)",
     out, k::alert_evaluator_error, "pool connect: connection failed: Connection refused (os error 111)"},
    {"[Mesher] Spike checker: escalated 3 archived issues", out, k::spike_checker, "3"},
    {"[Mesher] Spike checker error: 42P01\t\t\t\trelation \"events\" does not exist", out,
     k::spike_checker_error, "42P01\t\t\t\trelation \"events\" does not exist"},
    {"[Mesher] Retention cleanup: deleted 120 expired events", out, k::retention_cleanup, "120"},
    {"[Mesher] Retention cleanup error: pool checkout timeout", out, k::retention_cleanup_error,
     "pool checkout timeout"},
    {"[Mesher] Dropped expired partition: events_20250101", out, k::partition_dropped, "events_20250101"},
    {"[StorageWriter] Dropping batch of 50 events for project default after 3 retries", out, k::batch_dropped,
     "50"},
    {"[WS] Connection closed: 1000", out, k::ws_connection_closed, "1000"},
    {"[WS] Connection closed: 1011", out, k::ws_connection_closed, "1011"},
    // RUNTIME.md §5.1–§5.3, runtime stderr
    {"[mesh-rt] accept error: Too many open files (os error 24)", err, k::accept_error,
     "Too many open files (os error 24)"},
    {"[mesh-rt] HTTP parse error: malformed request line: ", err, k::http_parse_error,
     "malformed request line: "},
    {"[mesh-rt] HTTP parse error: read request line: Resource temporarily unavailable (os error 11)", err,
     k::http_parse_error, "read request line: Resource temporarily unavailable (os error 11)"},
    {"[mesh-rt] HTTP parse error: header section exceeds 8KB limit", err, k::http_parse_error,
     "header section exceeds 8KB limit"},
    {"[mesh-rt] HTTP parse error: too many headers (max 100)", err, k::http_parse_error,
     "too many headers (max 100)"},
    {"[mesh-rt] HTTP parse error: read body: failed to fill whole buffer", err, k::http_parse_error,
     "read body: failed to fill whole buffer"},
    {"[mesh-rt] HTTP handler panicked: Any { .. }", err, k::http_handler_panicked, "Any { .. }"},
    {"[mesh-rt] WS upgrade failed: missing or invalid Upgrade header", err, k::ws_upgrade_failed,
     "missing or invalid Upgrade header"},
    {"[mesh-rt] WS upgrade failed: missing or invalid Sec-WebSocket-Version (must be 13)", err,
     k::ws_upgrade_failed, "missing or invalid Sec-WebSocket-Version (must be 13)"},
    {"[mesh-rt] warning: 17 bytes buffered beyond HTTP headers during WebSocket upgrade", err,
     k::ws_upgrade_buffered, "17"},
    {"[mesh-rt] HTTPS server listening on 0.0.0.0:8443", err, k::https_server,
     "HTTPS server listening on 0.0.0.0:8443"},
    {"[mesh-rt] Failed to load TLS certificates: no such file", err, k::https_server,
     "Failed to load TLS certificates: no such file"},
    {"[mesh-rt] TLS connection setup failed: handshake", err, k::https_server,
     "TLS connection setup failed: handshake"},
    {"mesh node heartbeat timeout: other@10.0.0.2:9000", err, k::node_heartbeat_timeout,
     "other@10.0.0.2:9000"},
    {"mesh node: TLS server connection failed: eof", err, k::node_error, "TLS server connection failed: eof"},
    {"mesh node: handshake failed: bad cookie", err, k::node_error, "handshake failed: bad cookie"},
    {"mesh node: session registration failed for other@h:1: dup", err, k::node_error,
     "session registration failed for other@h:1: dup"},
    {"mesh node: node not started", err, k::node_error, "node not started"},
    {"mesh node: invalid connect target: x", err, k::node_error, "invalid connect target: x"},
    {"mesh node: TCP connect to h:1 failed: refused", err, k::node_error,
     "TCP connect to h:1 failed: refused"},
    {"mesh node: TLS client connection failed: eof", err, k::node_error, "TLS client connection failed: eof"},
    {"mesh node: handshake with h:1 failed: eof", err, k::node_error, "handshake with h:1 failed: eof"},
};

class documented_text : public ::testing::TestWithParam<documented> {};

TEST_P(documented_text, classified_on_its_stream_and_in_a_merged_stream) {
  console_classifier classifier;
  const auto& d = GetParam();
  for (auto stream : {d.stream, console_stream::merged}) {
    auto c = classifier.classify(d.text, stream);
    ASSERT_TRUE(c.kind.has_value()) << d.text;
    EXPECT_EQ(to_string(*c.kind), to_string(d.kind)) << d.text;
    EXPECT_EQ(c.detail, d.detail) << d.text;
    EXPECT_EQ(c.panic, d.kind == k::http_handler_panicked ? panic_line::handler_panicked : panic_line::none);
  }
}

TEST_P(documented_text, not_classified_on_the_other_stream) {
  console_classifier classifier;
  const auto& d = GetParam();
  auto other = d.stream == out ? err : out;
  EXPECT_FALSE(classifier.classify(d.text, other).kind.has_value()) << d.text;
}

TEST_P(documented_text, not_classified_with_a_prefix_or_a_suffix_added) {
  console_classifier classifier;
  const auto& d = GetParam();
  std::string prefixed = std::string("x") + d.text;
  EXPECT_FALSE(classifier.classify(prefixed, d.stream).kind.has_value()) << prefixed;
}

INSTANTIATE_TEST_SUITE_P(all, documented_text, ::testing::ValuesIn(all_documented));

TEST(console_classifier, heartbeats_feed_their_tracker) {
  console_classifier c;
  EXPECT_EQ(c.classify("[Mesher] Load monitor: 0 events/5s, 0 peers", out).beat, heartbeat::load_monitor);
  EXPECT_EQ(c.classify("[Mesher] Health check: all services responsive", out).beat, heartbeat::health_check);
  EXPECT_EQ(c.classify("[Mesher] Alert evaluator: checked rules, 0 fired", out).beat,
            heartbeat::alert_evaluator);
  EXPECT_EQ(c.classify("[Mesher] Alert evaluator error: pool checkout timeout", out).beat,
            heartbeat::alert_evaluator);
  EXPECT_FALSE(c.classify("[Mesher] Load monitor started (5s interval, threshold: 100 events)", out).beat);
  EXPECT_FALSE(c.classify("[Mesher] Health checker started (10s interval)", out).beat);
}

TEST(console_classifier, severities_single_out_what_needs_attention) {
  console_classifier c;
  EXPECT_EQ(c.classify("[Mesher] Failed to connect to PostgreSQL", out).severity, console_severity::fatal);
  EXPECT_EQ(c.classify("[mesh-rt] Failed to start HTTP server on 0.0.0.0:8080: x", err).severity,
            console_severity::fatal);
  EXPECT_EQ(c.classify("[Mesher] Partition error", out).severity, console_severity::error);
  EXPECT_EQ(c.classify("[mesh-rt] accept error: Too many open files (os error 24)", err).severity,
            console_severity::error);
  EXPECT_EQ(c.classify("[mesh-rt] accept error: Connection aborted (os error 103)", err).severity,
            console_severity::warning);
  EXPECT_EQ(c.classify("[WS] Connection closed: 1000", out).severity, console_severity::info);
  EXPECT_EQ(c.classify("[WS] Connection closed: 1011", out).severity, console_severity::warning);
  EXPECT_EQ(c.classify("[mesh-rt] HTTP server listening on 0.0.0.0:8080", err).severity,
            console_severity::info);
}

// RUNTIME.md §5.5: the panic block lines, current and legacy headers.
TEST(console_classifier, panic_header_current_form) {
  console_classifier c;
  auto r = c.classify("thread '<unnamed>' (4242) panicked at crates/mesh-rt/src/panic.rs:33:9:", err);
  EXPECT_EQ(r.panic, panic_line::header);
  EXPECT_FALSE(r.kind);
  EXPECT_EQ(r.thread, "<unnamed>");
  EXPECT_EQ(r.os_tid, 4242);
  EXPECT_EQ(r.location, "crates/mesh-rt/src/panic.rs:33:9");
}

TEST(console_classifier, panic_header_without_tid_and_named_thread) {
  console_classifier c;
  auto r =
      c.classify("thread 'ws-accept-8081' panicked at crates/mesh-rt/src/collections/list.rs:134:13:", err);
  EXPECT_EQ(r.panic, panic_line::header);
  EXPECT_EQ(r.thread, "ws-accept-8081");
  EXPECT_FALSE(r.os_tid);
  EXPECT_EQ(r.location, "crates/mesh-rt/src/collections/list.rs:134:13");
  // Without the trailing colon too.
  EXPECT_EQ(c.classify("thread 'main' panicked at src/main.rs:2:5", err).panic, panic_line::header);
}

TEST(console_classifier, panic_header_legacy_form) {
  console_classifier c;
  auto r = c.classify(
      "thread '<unnamed>' panicked at 'mesh_list_get: index 3 out of bounds (len 2)', "
      "crates/mesh-rt/src/collections/list.rs:134:13",
      err);
  EXPECT_EQ(r.panic, panic_line::legacy_header);
  EXPECT_EQ(r.thread, "<unnamed>");
  EXPECT_EQ(r.message, "mesh_list_get: index 3 out of bounds (len 2)");
  EXPECT_EQ(r.location, "crates/mesh-rt/src/collections/list.rs:134:13");
}

TEST(console_classifier, panic_block_lines) {
  console_classifier c;
  EXPECT_EQ(c.classify("Mesh panic at <unknown>:0: non-exhaustive match in switch", err).panic,
            panic_line::mesh_message);
  EXPECT_EQ(c.classify("Mesh panic at <compiler>:0: monomorphization depth limit (64) exceeded", err).panic,
            panic_line::mesh_message);
  EXPECT_EQ(
      c.classify("note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace", err).panic,
      panic_line::note);
  EXPECT_EQ(
      c.classify("note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
                 err)
          .panic,
      panic_line::note);
  EXPECT_EQ(c.classify("stack backtrace:", err).panic, panic_line::backtrace_header);
  EXPECT_EQ(
      c.classify("   0:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::libunwind::trace", err).panic,
      panic_line::backtrace_frame);
  EXPECT_EQ(c.classify("  12: mesh_panic", err).panic, panic_line::backtrace_frame);
  EXPECT_EQ(c.classify("             at /rustc/abc/library/std/src/panicking.rs:665:5", err).panic,
            panic_line::backtrace_frame);
  EXPECT_EQ(c.classify("panic in a function that cannot unwind", err).panic, panic_line::cannot_unwind);
  EXPECT_EQ(c.classify("thread caused non-unwinding panic. aborting.", err).panic, panic_line::abort);
  auto alloc = c.classify("memory allocation of 18446744073709551615 bytes failed", err);
  EXPECT_EQ(alloc.panic, panic_line::allocation_failure);
  EXPECT_EQ(alloc.detail, "18446744073709551615");
  EXPECT_EQ(c.classify("", err).panic, panic_line::blank);
}

TEST(console_classifier, near_misses_are_not_panics) {
  console_classifier c;
  // A client-controlled request line echoed into an error line (RUNTIME.md §5.1).
  auto echoed =
      c.classify("[mesh-rt] HTTP parse error: malformed request line: thread 'x' panicked at a.rs:1:2:", err);
  EXPECT_EQ(echoed.kind, k::http_parse_error);
  EXPECT_EQ(echoed.panic, panic_line::none);
  // Not at the start of the line.
  EXPECT_EQ(c.classify(" thread '<unnamed>' panicked at src/a.rs:1:2:", err).panic, panic_line::none);
  EXPECT_EQ(c.classify("[Mesher] thread 'x' panicked at a.rs:1:2:", out).panic, panic_line::none);
  // No line:column.
  EXPECT_EQ(c.classify("thread '<unnamed>' panicked at somewhere", err).panic, panic_line::none);
  // Quote missing around the thread name.
  EXPECT_EQ(c.classify("thread <unnamed> panicked at src/a.rs:1:2:", err).panic, panic_line::none);
  // The panic texts are stderr texts; on stdout they are someone's data.
  EXPECT_EQ(c.classify("thread '<unnamed>' (1) panicked at src/a.rs:1:2:", out).panic, panic_line::none);
  EXPECT_EQ(c.classify("thread caused non-unwinding panic. aborting.", out).panic, panic_line::none);
  EXPECT_EQ(c.classify("memory allocation of 5 bytes failed", out).panic, panic_line::none);
  // Nearly the abort line.
  EXPECT_EQ(c.classify("thread caused non-unwinding panic. aborting", err).panic, panic_line::none);
  EXPECT_EQ(c.classify("memory allocation of many bytes failed", err).panic, panic_line::none);
}

TEST(console_classifier, near_misses_of_mesher_lines) {
  console_classifier c;
  EXPECT_FALSE(c.classify("Mesher] Connecting to PostgreSQL...", out).kind);              // prefix damaged
  EXPECT_FALSE(c.classify("[mesher] Foundation ready", out).kind);                        // case
  EXPECT_FALSE(c.classify("[Mesher] Foundation ready!", out).kind);                       // suffix
  EXPECT_FALSE(c.classify("[Mesher] FooService started", out).kind);                      // not documented
  EXPECT_FALSE(c.classify("[Mesher] Load monitor: many events/5s, 0 peers", out).kind);   // not numbers
  EXPECT_FALSE(c.classify("[mesh-rt] HTTP server listening on 0.0.0.0:8080", out).kind);  // wrong stream
  EXPECT_FALSE(c.classify("HTTP server listening on 0.0.0.0:8080", err).kind);            // no prefix
  EXPECT_FALSE(c.classify("[Mesher] Failed to connect to PostgreSQL", err).kind);         // wrong stream
  EXPECT_FALSE(c.classify("[WS] Connection closed: normal", out).kind);
  EXPECT_FALSE(c.classify("", out).kind);
}

TEST(console_classifier, invalid_utf8_replacement_text_still_matches) {
  console_classifier c;
  auto r = c.classify("[mesh-rt] HTTP parse error: malformed request line: \xEF\xBF\xBD\xEF\xBF\xBD", err);
  EXPECT_EQ(r.kind, k::http_parse_error);
}

TEST(console_classifier, user_patterns_match_anywhere_and_keep_their_kind) {
  console_classifier c(
      {{"db_refused", "Connection refused \\(os error 111\\)", k::user_match, console_severity::error},
       {"batch", "Dropping batch", k::batch_dropped, console_severity::warning}});
  const auto* m =
      c.match_user("[Mesher] Alert evaluator error: pool connect: Connection refused (os error 111)");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "db_refused");
  EXPECT_EQ(m->severity, console_severity::error);
  EXPECT_EQ(c.match_user("nothing here"), nullptr);
  EXPECT_EQ(c.match_user("x Dropping batch y")->kind, k::batch_dropped);
}

TEST(console_classifier, bad_user_regex_is_reported_with_its_name) {
  try {
    console_classifier c({{"broken", "(unclosed", k::user_match, console_severity::error}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("broken"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(console_classifier::check_user_regex("(unclosed"));
  EXPECT_FALSE(console_classifier::check_user_regex("fine.*"));
}

TEST(console_classifier, every_kind_has_a_distinct_name) {
  for (std::size_t i = 0; i < console_event_kind_count; ++i) {
    auto kind = static_cast<console_event_kind>(i);
    auto parsed = console_event_kind_from_string(to_string(kind));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_FALSE(console_event_kind_from_string("nope"));
}

}  // namespace
}  // namespace meshwatch

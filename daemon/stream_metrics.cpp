#include "daemon/stream_metrics.hpp"

namespace meshwatch {
namespace {

// Seconds. A push follows its request within milliseconds on loopback; pipelines give up on
// it after a few seconds.
const prometheus::Histogram::BucketBoundaries latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string_view to_string(stream_disconnect reason) {
  switch (reason) {
    case stream_disconnect::connect_failed: return "connect_failed";
    case stream_disconnect::handshake_failed: return "handshake_failed";
    case stream_disconnect::rejected: return "rejected";
    case stream_disconnect::closed: return "closed";
    case stream_disconnect::dropped: return "dropped";
    case stream_disconnect::ws_no_pong: return "ws_no_pong";
    case stream_disconnect::idle_timeout: return "idle_timeout";
    case stream_disconnect::too_large: return "too_large";
    case stream_disconnect::error: return "error";
  }
  return "error";
}

stream_metric_families::stream_metric_families(prometheus::Registry& r)
    : connected(prometheus::BuildGauge()
                    .Name("meshwatch_stream_connected")
                    .Help("1 while the long-lived stream subscriber of the target is connected.")
                    .Register(r)),
      reconnects(prometheus::BuildCounter()
                     .Name("meshwatch_stream_reconnects_total")
                     .Help("Stream subscriber connections lost or connection attempts failed, by reason; "
                           "each is followed by a reconnect after a bounded backoff.")
                     .Register(r)),
      pushes(prometheus::BuildCounter()
                 .Name("meshwatch_stream_pushes_total")
                 .Help("Messages pushed to the long-lived stream subscriber.")
                 .Register(r)),
      push_latency(prometheus::BuildHistogram()
                       .Name("meshwatch_stream_push_latency_seconds")
                       .Help("Time from a pipeline's HTTP request to the push it caused arriving on the "
                             "long-lived stream subscriber.")
                       .Register(r)),
      silent_drops(
          prometheus::BuildCounter()
              .Name("meshwatch_stream_silent_drops_total")
              .Help("Pushes a pipeline proved due (request accepted, row visible) that never reached "
                    "the connected stream subscriber in time.")
              .Register(r)),
      pong_latency(prometheus::BuildHistogram()
                       .Name("meshwatch_stream_pong_latency_seconds")
                       .Help("Round trip of the stream subscriber's keep-alive pings.")
                       .Register(r)) {}

stream_series::stream_series(stream_metric_families& f, const std::string& target)
    : connected_(f.connected.Add({{"target", target}})),
      pushes_(f.pushes.Add({{"target", target}})),
      push_latency_(f.push_latency.Add({{"target", target}}, latency_buckets)),
      silent_drops_(f.silent_drops.Add({{"target", target}})),
      pong_latency_(f.pong_latency.Add({{"target", target}}, latency_buckets)) {
  for (auto reason : all_stream_disconnects) {
    reconnects_[reason] = &f.reconnects.Add({{"target", target}, {"reason", std::string(to_string(reason))}});
  }
}

void stream_series::observe_push_latency(std::chrono::nanoseconds latency) {
  push_latency_.Observe(seconds(latency));
}

void stream_series::observe_pong_latency(std::chrono::nanoseconds latency) {
  pong_latency_.Observe(seconds(latency));
}

}  // namespace meshwatch

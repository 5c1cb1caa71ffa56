#pragma once
// The metrics of the long-lived stream subscribers (DESIGN.md §4, §9): one series set per
// target, all created at start. `reason` of the reconnect counter is the closed set below.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace meshwatch {

/** Why a subscriber's connection ended or an attempt failed. */
enum class stream_disconnect {
  connect_failed,    // TCP connect failed or timed out
  handshake_failed,  // no 101 (or none in time)
  rejected,          // the server closed with 1008 (Mesher's rejection)
  closed,            // the server closed with another code (e.g. 1001 pong timeout)
  dropped,           // the TCP connection ended without a close frame
  ws_no_pong,        // our keep-alive ping went unanswered
  idle_timeout,      // nothing at all arrived for the idle timeout
  too_large,         // a push over the message bound
  error,             // anything else
};

inline constexpr std::array all_stream_disconnects{
    stream_disconnect::connect_failed, stream_disconnect::handshake_failed, stream_disconnect::rejected,
    stream_disconnect::closed,         stream_disconnect::dropped,          stream_disconnect::ws_no_pong,
    stream_disconnect::idle_timeout,   stream_disconnect::too_large,        stream_disconnect::error,
};

std::string_view to_string(stream_disconnect reason);

/** The families, registered once per registry. */
class stream_metric_families {
 public:
  explicit stream_metric_families(prometheus::Registry& registry);

  prometheus::Family<prometheus::Gauge>& connected;
  prometheus::Family<prometheus::Counter>& reconnects;
  prometheus::Family<prometheus::Counter>& pushes;
  prometheus::Family<prometheus::Histogram>& push_latency;
  prometheus::Family<prometheus::Counter>& silent_drops;
  prometheus::Family<prometheus::Histogram>& pong_latency;
};

/** One target's series. */
class stream_series {
 public:
  stream_series(stream_metric_families& families, const std::string& target);

  void set_connected(bool connected) { connected_.Set(connected ? 1 : 0); }
  void count_reconnect(stream_disconnect reason) { reconnects_.at(reason)->Increment(); }
  void count_push() { pushes_.Increment(); }
  void observe_push_latency(std::chrono::nanoseconds latency);
  void count_silent_drop() { silent_drops_.Increment(); }
  void observe_pong_latency(std::chrono::nanoseconds latency);

 private:
  prometheus::Gauge& connected_;
  std::map<stream_disconnect, prometheus::Counter*> reconnects_;
  prometheus::Counter& pushes_;
  prometheus::Histogram& push_latency_;
  prometheus::Counter& silent_drops_;
  prometheus::Histogram& pong_latency_;
};

}  // namespace meshwatch

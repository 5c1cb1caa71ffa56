#pragma once
// The `ws` probe kind: handshake, optional send, then the expected reply (JSON assertions) or
// the expected close code (Mesher rejects `/ingest` without auth as 101 then Close 1008), and
// optionally a keep-alive check (a ping whose pong must arrive before the deadline).
#include <boost/asio/awaitable.hpp>

#include "config/probe_config.hpp"
#include "probes/probe_result.hpp"
#include "probes/probe_target.hpp"
#include "probes/ws_exchange.hpp"

namespace meshwatch {

/** Judges what a WebSocket exchange saw against a ws probe's expectations (pure). */
void judge_ws_exchange(const ws_probe& spec, const ws_exchange_result& seen, const template_vars& vars,
                       probe_result& result);

boost::asio::awaitable<probe_result> run_ws_probe(probe_target target, probe_config probe,
                                                  template_vars vars);

}  // namespace meshwatch

#include "probes/ws_probe.hpp"

#include "probes/json_body.hpp"
#include "probes/json_check.hpp"

namespace meshwatch {

void judge_ws_exchange(const ws_probe& spec, const ws_exchange_result& seen, const template_vars& vars,
                       probe_result& result) {
  auto fail = [&](failure_reason reason, std::string detail) {
    result.passed = false;
    result.reason = reason;
    result.detail = std::move(detail);
  };
  result.passed = true;
  if (seen.failure) {
    // A close where a reply was due is Mesher rejecting us when the code says so (1008).
    auto reason = *seen.failure;
    if (reason == failure_reason::ws_closed && seen.close_code == 1008) {
      reason = failure_reason::ws_rejected;
    }
    fail(reason, seen.detail);
    return;
  }
  if (spec.expect_close) {
    if (!seen.close_code) {
      fail(failure_reason::ws_closed, "expected close " + std::to_string(*spec.expect_close) + ", got none");
    } else if (*seen.close_code != *spec.expect_close) {
      fail(failure_reason::ws_closed, "expected close " + std::to_string(*spec.expect_close) + ", got " +
                                          std::to_string(*seen.close_code) + " '" + seen.close_reason + "'");
    }
    return;
  }
  if (!spec.expect_reply.empty() || spec.send) {
    if (!seen.reply) {
      fail(failure_reason::ws_no_reply, "no reply");
      return;
    }
    if (spec.expect_reply.empty()) {
      return;  // any reply frame will do
    }
    auto body = json_body::parse(*seen.reply);
    if (!body.ok()) {
      fail(failure_reason::invalid_json, "reply: " + body.error());
      return;
    }
    auto check = check_json(spec.expect_reply, body.root(), vars);
    if (!check.passed) {
      fail(check.reason.value_or(failure_reason::body_mismatch), "reply: " + check.detail);
    }
  }
}

boost::asio::awaitable<probe_result> run_ws_probe(probe_target target, probe_config probe,
                                                  template_vars vars) {
  const auto& spec = std::get<ws_probe>(probe.kind);
  probe_result result;
  result.probe = probe.name;
  result.target = target.name;
  result.kind = probe_kind_name::ws;
  result.route = route_label(spec.path.source());
  result.started_wall = std::chrono::system_clock::now();
  result.started = std::chrono::steady_clock::now();

  auto finish = [&](failure_reason reason, std::string detail) {
    result.passed = false;
    result.reason = reason;
    result.detail = std::move(detail);
    result.duration = std::chrono::steady_clock::now() - result.started;
    return result;
  };
  if (!target.ws) {
    co_return finish(failure_reason::internal, "target has no ws endpoint");
  }
  ws_exchange_request request;
  request.host_header = target.ws->host_header;
  auto path = spec.path.render(vars);
  if (!path) {
    co_return finish(failure_reason::internal, "unbound variable in '" + spec.path.source() + "'");
  }
  request.target = *path;
  for (const auto& [name, value] : spec.headers) {
    auto rendered = value.render(vars);
    if (!rendered) co_return finish(failure_reason::internal, "unbound variable in header " + name);
    request.headers.emplace_back(name, *rendered);
  }
  if (spec.send) {
    auto rendered = spec.send->render(vars);
    if (!rendered) co_return finish(failure_reason::internal, "unbound variable in send");
    request.send = *rendered;
  }
  // Sending means expecting an answer (Mesher answers every frame); expect_reply only adds
  // assertions on it.
  request.wait_for_reply = !spec.expect_reply.empty() || (spec.send && !spec.expect_close);
  request.wait_for_close = spec.expect_close.has_value();
  request.expect_pong = spec.expect_pong;

  ws_exchange_limits limits;
  limits.timeout = probe.timeout;
  auto seen = co_await perform_ws_exchange(target.ws->address, request, limits);
  result.duration = std::chrono::steady_clock::now() - result.started;
  result.http_status = seen.handshake_status;
  result.phases.emplace_back("connect", seen.phases.connect);
  result.phases.emplace_back("handshake", seen.phases.handshake);
  result.phases.emplace_back("first_reply", seen.phases.first_reply);
  if (spec.expect_pong && !seen.failure) {
    result.phases.emplace_back("pong", seen.phases.pong);
  }
  judge_ws_exchange(spec, seen, vars, result);
  co_return result;
}

}  // namespace meshwatch

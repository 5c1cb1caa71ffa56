#include "probes/http_probe.hpp"

#include "probes/json_body.hpp"
#include "probes/response_check.hpp"
#include "probes/shape_fingerprint.hpp"

namespace meshwatch {
namespace {

// Mesher answers JSON for most routes and plain text for 404s and some errors; only bodies
// that look like JSON are parsed for the shape fingerprint.
bool looks_like_json(std::string_view body) {
  auto start = body.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && (body[start] == '{' || body[start] == '[');
}

std::optional<std::string> render_or_fail(const text_template& t, const template_vars& vars,
                                          check_result& check, std::string_view what) {
  auto rendered = t.render(vars);
  if (!rendered) {
    check = check_result::fail(failure_reason::internal,
                               std::string(what) + ": unbound variable in '" + t.source() + "'");
  }
  return rendered;
}

}  // namespace

boost::asio::awaitable<http_step_outcome> perform_http_step(probe_endpoint endpoint, http_request request,
                                                            expectation expect, template_vars vars,
                                                            std::chrono::milliseconds timeout,
                                                            std::size_t body_cap) {
  http_step_outcome out;
  http_exchange_request exchange_request;
  exchange_request.method = request.method;
  exchange_request.host_header = endpoint.host_header;
  auto target = render_or_fail(request.path, vars, out.check, "path");
  if (!target) co_return out;
  exchange_request.target = *target;
  for (const auto& [name, value] : request.headers) {
    auto rendered = render_or_fail(value, vars, out.check, "header " + name);
    if (!rendered) co_return out;
    exchange_request.headers.emplace_back(name, *rendered);
  }
  if (request.body) {
    auto rendered = render_or_fail(*request.body, vars, out.check, "body");
    if (!rendered) co_return out;
    exchange_request.body = *rendered;
  }

  http_exchange_limits limits;
  limits.timeout = timeout;
  limits.max_body_bytes = body_cap;
  out.exchange = co_await perform_http_exchange(endpoint.address, exchange_request, limits);
  if (out.exchange.failure) {
    out.check = check_result::fail(*out.exchange.failure, out.exchange.detail);
    co_return out;
  }

  if (looks_like_json(out.exchange.body)) {
    out.body = std::make_shared<const json_body>(json_body::parse(out.exchange.body));
  }
  http_observation seen;
  seen.status = out.exchange.status;
  seen.body = out.exchange.body;
  seen.latency = out.exchange.total;
  out.check = check_http_response(expect, seen, vars, out.body.get());
  if (out.check.passed && out.body && out.body->ok()) {
    out.shape = fingerprint_json(out.body->root());
  }
  co_return out;
}

void record_http_phases(const http_exchange_result& exchange, probe_result& result) {
  result.phases.emplace_back("connect", exchange.phases.connect);
  result.phases.emplace_back("write", exchange.phases.write);
  result.phases.emplace_back("first_byte", exchange.phases.first_byte);
  result.phases.emplace_back("transfer", exchange.phases.transfer);
}

probe_result begin_http_result(const probe_target& target, const probe_config& probe) {
  const auto& request = std::get<http_request>(probe.kind);
  probe_result result;
  result.probe = probe.name;
  result.target = target.name;
  result.kind = probe_kind_name::http;
  result.route = route_label(request.path.source());
  result.method = request.method;
  result.started_wall = std::chrono::system_clock::now();
  result.started = std::chrono::steady_clock::now();
  return result;
}

boost::asio::awaitable<probe_result> run_http_probe(probe_target target, probe_config probe,
                                                    template_vars vars, std::size_t body_cap) {
  const auto& request = std::get<http_request>(probe.kind);
  probe_result result = begin_http_result(target, probe);

  auto step = co_await perform_http_step(target.http, request, probe.expect, vars, probe.timeout, body_cap);
  result.duration = std::chrono::steady_clock::now() - result.started;
  result.http_status = step.exchange.status;
  result.passed = step.check.passed;
  result.degraded = step.check.degraded;
  result.reason = step.check.reason;
  result.detail = step.check.detail;
  result.shape = step.shape;
  record_http_phases(step.exchange, result);
  co_return result;
}

}  // namespace meshwatch

#include "daemon/probe_runner.hpp"

#include "probes/http_probe.hpp"
#include "probes/parallel_http.hpp"
#include "probes/ws_probe.hpp"

namespace meshwatch {

probe_labels describe_probe(const probe_config& probe) {
  probe_labels labels;
  if (const auto* http = std::get_if<http_request>(&probe.kind)) {
    labels = {route_label(http->path.source()), http->method, probe_kind_name::http, {}};
  } else if (const auto* ws = std::get_if<ws_probe>(&probe.kind)) {
    labels = {route_label(ws->path.source()), "GET", probe_kind_name::ws, {}};
  } else if (const auto* pg = std::get_if<pg_probe>(&probe.kind)) {
    labels = {std::string(to_string(pg->check)), "", probe_kind_name::pg, {}};
  } else if (const auto* pipeline = std::get_if<pipeline_probe>(&probe.kind)) {
    labels.kind = probe_kind_name::pipeline;
    for (const auto& step : pipeline->steps) {
      labels.stages.push_back(step.name);
      // The route of a pipeline is its first HTTP step: what it is mainly about.
      if (const auto* http = std::get_if<http_request>(&step.action); http && labels.route.empty()) {
        labels.route = route_label(http->path.source());
        labels.method = http->method;
      }
    }
  }
  return labels;
}

boost::asio::awaitable<probe_result> run_probe_once(probe_config probe, probe_target target,
                                                    template_vars vars, const probe_runners* runners) {
  if (std::holds_alternative<http_request>(probe.kind) && probe.parallel > 1) {
    co_return co_await run_parallel_http_probe(std::move(target), std::move(probe), std::move(vars));
  }
  if (std::holds_alternative<http_request>(probe.kind)) {
    co_return co_await run_http_probe(std::move(target), std::move(probe), std::move(vars));
  }
  if (std::holds_alternative<ws_probe>(probe.kind)) {
    co_return co_await run_ws_probe(std::move(target), std::move(probe), std::move(vars));
  }
  const bool is_pg = std::holds_alternative<pg_probe>(probe.kind);
  const probe_runner_fn* runner = nullptr;
  if (runners != nullptr) {
    runner = is_pg ? &runners->pg : &runners->pipeline;
  }
  if (runner != nullptr && *runner) {
    co_return co_await (*runner)(std::move(probe), std::move(target), std::move(vars));
  }
  probe_result result;
  result.probe = probe.name;
  result.target = target.name;
  result.kind = describe_probe(probe).kind;
  result.route = describe_probe(probe).route;
  result.started_wall = std::chrono::system_clock::now();
  result.started = std::chrono::steady_clock::now();
  result.reason = failure_reason::internal;
  result.detail = is_pg ? "no database configured for this target" : "pipelines need the target's database";
  co_return result;
}

}  // namespace meshwatch

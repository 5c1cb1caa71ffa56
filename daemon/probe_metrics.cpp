#include "daemon/probe_metrics.hpp"

#include <array>

namespace meshwatch {
namespace {

// Seconds. A loopback probe's median is a few hundred microseconds (tests/bench), so the first
// buckets are sub-millisecond or its p50 could not be read from /metrics; timeouts end at tens
// of seconds.
const prometheus::Histogram::BucketBoundaries latency_buckets{
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

constexpr std::array phase_names{"connect",   "write",       "first_byte", "transfer",
                                 "handshake", "first_reply", "pong",       "query"};

// The label set every per-run series of one probe shares.
prometheus::Labels endpoint_labels(const std::string& target, const std::string& probe,
                                   const std::string& route, const std::string& method,
                                   probe_kind_name kind) {
  return {{"target", target},
          {"probe", probe},
          {"route", route},
          {"method", method},
          {"kind", std::string(to_string(kind))}};
}

}  // namespace

probe_metric_families::probe_metric_families(prometheus::Registry& r)
    : success(prometheus::BuildGauge()
                  .Name("meshwatch_probe_success")
                  .Help("1 if the probe's last counted run passed, else 0 (raw, before thresholds).")
                  .Register(r)),
      healthy(prometheus::BuildGauge()
                  .Name("meshwatch_probe_healthy")
                  .Help("1 while the probe is healthy or degraded after its thresholds, else 0.")
                  .Register(r)),
      duration(prometheus::BuildHistogram()
                   .Name("meshwatch_probe_duration_seconds")
                   .Help("Duration of probe runs.")
                   .Register(r)),
      phase_duration(prometheus::BuildHistogram()
                         .Name("meshwatch_probe_phase_duration_seconds")
                         .Help("Duration of the phases of probe runs (connect, write, first_byte, transfer, "
                               "handshake, first_reply, pong, query).")
                         .Register(r)),
      runs(prometheus::BuildCounter()
               .Name("meshwatch_probe_runs_total")
               .Help("Counted probe runs.")
               .Register(r)),
      failures(prometheus::BuildCounter()
                   .Name("meshwatch_probe_failures_total")
                   .Help("Failed probe runs by reason.")
                   .Register(r)),
      skipped(prometheus::BuildCounter()
                  .Name("meshwatch_probe_skipped_total")
                  .Help("Runs skipped because the probe's request budget was spent.")
                  .Register(r)),
      inconclusive(prometheus::BuildCounter()
                       .Name("meshwatch_probe_inconclusive_total")
                       .Help("Runs not counted because meshwatch's own event loop was stalled.")
                       .Register(r)),
      http_status(prometheus::BuildGauge()
                      .Name("meshwatch_probe_http_status_code")
                      .Help("HTTP status of the probe's last run (101 for WebSocket upgrades, 0 for none).")
                      .Register(r)),
      last_run(prometheus::BuildGauge()
                   .Name("meshwatch_probe_last_run_timestamp_seconds")
                   .Help("Unix time the probe's last run started.")
                   .Register(r)),
      regression_ratio(prometheus::BuildGauge()
                           .Name("meshwatch_probe_latency_regression_ratio")
                           .Help("Current median latency over the learned baseline median (0 until learned).")
                           .Register(r)),
      regressed(prometheus::BuildGauge()
                    .Name("meshwatch_probe_regressed")
                    .Help("1 while the probe's latency is regressed against its baseline.")
                    .Register(r)),
      shape_changes(prometheus::BuildCounter()
                        .Name("meshwatch_probe_shape_changes_total")
                        .Help("Changes of the key/type shape of the probe's successful JSON responses.")
                        .Register(r)),
      suspended(prometheus::BuildGauge()
                    .Name("meshwatch_probe_suspended")
                    .Help("1 while the probe is suspended (it preceded crashes of the target).")
                    .Register(r)),
      stage_latency(prometheus::BuildHistogram()
                        .Name("meshwatch_pipeline_stage_latency_seconds")
                        .Help("Time from the start of a pipeline probe to the completion of each stage.")
                        .Register(r)) {}

probe_series::probe_series(probe_metric_families& f, const std::string& target, const std::string& probe,
                           const std::string& route, const std::string& method, probe_kind_name kind,
                           const std::vector<std::string>& stages)
    : success_(f.success.Add(endpoint_labels(target, probe, route, method, kind))),
      healthy_(f.healthy.Add(endpoint_labels(target, probe, route, method, kind))),
      duration_(f.duration.Add(endpoint_labels(target, probe, route, method, kind), latency_buckets)),
      runs_(f.runs.Add(endpoint_labels(target, probe, route, method, kind))),
      skipped_(f.skipped.Add({{"target", target}, {"probe", probe}})),
      inconclusive_(f.inconclusive.Add({{"target", target}, {"probe", probe}})),
      http_status_(
          f.http_status.Add({{"target", target}, {"probe", probe}, {"route", route}, {"method", method}})),
      last_run_(f.last_run.Add({{"target", target}, {"probe", probe}})),
      regression_ratio_(f.regression_ratio.Add({{"target", target}, {"probe", probe}, {"route", route}})),
      regressed_(f.regressed.Add({{"target", target}, {"probe", probe}, {"route", route}})),
      shape_changes_(f.shape_changes.Add({{"target", target}, {"probe", probe}, {"route", route}})),
      suspended_(f.suspended.Add({{"target", target}, {"probe", probe}})) {
  const prometheus::Labels base = endpoint_labels(target, probe, route, method, kind);
  // Phases that this kind of probe has; pipelines report their steps as stages instead.
  for (const char* phase : phase_names) {
    std::string_view p = phase;
    bool applies = (kind == probe_kind_name::http &&
                    (p == "connect" || p == "write" || p == "first_byte" || p == "transfer")) ||
                   (kind == probe_kind_name::ws &&
                    (p == "connect" || p == "handshake" || p == "first_reply" || p == "pong")) ||
                   (kind == probe_kind_name::pg && p == "query");
    if (applies) {
      auto labels = base;
      labels["phase"] = phase;
      phases_[phase] = &f.phase_duration.Add(labels, latency_buckets);
    }
  }
  for (auto reason : all_failure_reasons) {
    auto labels = base;
    labels["reason"] = std::string(to_string(reason));
    failures_[reason] = &f.failures.Add(labels);
  }
  for (const auto& stage : stages) {
    stages_[stage] =
        &f.stage_latency.Add({{"target", target}, {"probe", probe}, {"stage", stage}}, latency_buckets);
  }
}

void probe_series::record(const probe_result& result) {
  runs_.Increment();
  success_.Set(result.passed ? 1 : 0);
  duration_.Observe(std::chrono::duration<double>(result.duration).count());
  for (const auto& [phase, elapsed] : result.phases) {
    if (auto it = phases_.find(phase); it != phases_.end()) {
      it->second->Observe(std::chrono::duration<double>(elapsed).count());
    }
  }
  if (!result.passed) {
    failures_[result.reason.value_or(failure_reason::internal)]->Increment();
  }
  http_status_.Set(result.http_status);
  last_run_.Set(std::chrono::duration<double>(result.started_wall.time_since_epoch()).count());
  for (const auto& [stage, elapsed] : result.stages) {
    if (auto it = stages_.find(stage); it != stages_.end()) {
      it->second->Observe(std::chrono::duration<double>(elapsed).count());
    }
  }
}

}  // namespace meshwatch

#pragma once
// Runs one probe once, whatever its kind, and describes its metric labels.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "config/probe_config.hpp"
#include "probes/probe_result.hpp"
#include "probes/probe_target.hpp"

namespace meshwatch {

using probe_runner_fn =
    std::function<boost::asio::awaitable<probe_result>(probe_config, probe_target, template_vars)>;

/**
 * The kinds that need more than a socket: pg checks and pipelines use the DB thread and the
 * stream subscriber. Empty functions make those probes fail as `internal` with a clear detail.
 */
struct probe_runners {
  probe_runner_fn pg;
  probe_runner_fn pipeline;
};

boost::asio::awaitable<probe_result> run_probe_once(probe_config probe, probe_target target,
                                                    template_vars vars, const probe_runners* runners);

/** The bounded label values of a probe: route template, method, kind, pipeline stage names. */
struct probe_labels {
  std::string route;
  std::string method;
  probe_kind_name kind = probe_kind_name::http;
  std::vector<std::string> stages;
};
probe_labels describe_probe(const probe_config& probe);

}  // namespace meshwatch

#pragma once
// Renders Prometheus text exposition from any number of collectables (the registry plus
// collectors such as the process collector), in one pass.
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <memory>
#include <string>
#include <vector>

namespace meshwatch {

std::string render_metrics(const std::vector<std::shared_ptr<prometheus::Collectable>>& sources);

/** The Content-Type of that text (version 0.0.4 of the text format). */
inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace meshwatch

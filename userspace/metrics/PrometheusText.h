// A MetricsSnapshot in the Prometheus text exposition format (version
// 0.0.4): HELP and TYPE lines, counters named *_total, labels escaped.
#pragma once

#include <string>

#include "metrics/MetricsSnapshot.h"

namespace netflow {

inline constexpr const char *kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheusText(const MetricsSnapshot &snapshot);

}  // namespace netflow

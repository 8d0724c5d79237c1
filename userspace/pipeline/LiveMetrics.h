// --metrics for the live runs: the server opened from the options (bound
// before the privilege drop, started after it), and a snapshot of each
// run's counters, made on the capture thread once a round.
#pragma once

#include <memory>

#include "capture/CaptureCounters.h"
#include "cli/Options.h"
#include "metrics/MetricsServer.h"
#include "output/FlowSink.h"

namespace netflow {

class KernelFlowEngine;
class KernelSession;

// nullptr without --metrics. Throws std::runtime_error when it cannot listen.
std::unique_ptr<MetricsServer> openMetricsServer(const Options &options);

// The libpcap run: its pipeline's counters and the capture's drops.
MetricsSnapshot pcapMetrics(const Options &options, double uptime, const CaptureCounters &counters,
                            uint64_t flows_active, uint64_t flows_exported, const FlowSink &sink);

// The kernel run: the programs' statistics and the engine's state,
// published (nothing when the statistics cannot be read this time).
void publishKernelMetrics(MetricsServer &server, const Options &options, double uptime,
                          const KernelSession &session, const KernelFlowEngine &engine,
                          const FlowSink &sink);

}  // namespace netflow

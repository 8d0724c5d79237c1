#include "pipeline/LiveRun.h"

#include <cstdio>
#include <memory>

#include "filter/BpfFilter.h"
#include "capture/LinkLayer.h"
#include "capture/PcapLive.h"
#include "cli/CommandLine.h"
#include "common/Clock.h"
#include "pipeline/FlowPipeline.h"
#include "kernel/KernelSession.h"
#include "pipeline/KernelRun.h"
#include "pipeline/LiveMetrics.h"
#include "pipeline/Privileges.h"
#include "pipeline/RowFlusher.h"
#include "pipeline/RunSummary.h"
#include "common/StopSignal.h"

namespace netflow {
namespace {

LiveStatus status(const FlowPipeline &pipeline, uint64_t packets_per_second, uint64_t dropped) {
    LiveStatus s;
    s.packets = pipeline.counters().read;
    s.packets_per_second = packets_per_second;
    s.flows_active = pipeline.activeFlows();
    s.flows_exported = pipeline.flowsExported();
    s.not_counted = pipeline.counters().notCounted();
    s.lost = dropped;
    return s;
}

}  // namespace

bool fallsBackToPcap(const Options &options, const KernelSession::SetupError &e) {
    // Nothing was captured: --backend xdp fails, auto falls back, except
    // where libpcap would fail the same way or compete with another sensor.
    return options.backend == Backend::Auto && e.fallback;
}

int runLive(const Options &options) {
    if (options.backend != Backend::Pcap) {
        try {
            return runKernelLive(options);
        } catch (const KernelSession::SetupError &e) {
            if (!fallsBackToPcap(options, e))
                return reportError(kExitRuntimeError, e.what());
            std::fprintf(stderr, "netflow: XDP capture unavailable (%s); using libpcap\n",
                         e.what());
        }
    }
    return runPcapLive(options);
}

int runPcapLive(const Options &options) {
    const Stopwatch run;

    std::unique_ptr<MetricsServer> metrics;  // --metrics: listening before the capture opens
    try {
        metrics = openMetricsServer(options);
    } catch (const std::runtime_error &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    std::unique_ptr<PcapLive> live;
    try {
        live = std::make_unique<PcapLive>(options.interface, options.capture == CaptureMode::Tap);
    } catch (const CaptureError &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    if (!isSupportedLinkType(live->linkType()))
        return reportError(kExitRuntimeError, options.interface + ": unsupported link type " +
                                                  linkTypeName(live->linkType()));
    std::unique_ptr<BpfFilter> filter;
    if (options.filter) {
        try {
            filter =
                std::make_unique<BpfFilter>(live->linkType(), live->snapLength(), *options.filter);
        } catch (const FilterError &e) {
            return reportError(kExitUsage, e.what());
        }
    }
    std::unique_ptr<FlowPipeline> pipeline;
    try {
        pipeline = std::make_unique<FlowPipeline>(options, live->linkType(), filter.get());
    } catch (const std::runtime_error &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    // The packet socket is open: no capability is needed from here on.
    if (Result<void> dropped = dropPrivileges(options.user, {}); !dropped)
        return reportError(kExitRuntimeError, dropped.error());
    if (metrics)
        metrics->start();

    if (options.verbose)
        std::fprintf(stderr, "netflow: capturing on %s (libpcap, %s)\n", options.interface.c_str(),
                     linkTypeName(live->linkType()).c_str());

    int exit_code = kExitOk;
    bool limit_reached = false;
    RowFlusher rows(pipeline->sink());
    double next_status = 1.0;
    uint64_t packets_at_status = 0;
    const PcapLive::Handler handler = [&](const pcap_pkthdr &header, const uint8_t *frame) {
        if (!limit_reached && !pipeline->onFrame(header, frame))
            limit_reached = true;
    };
    while (!stopRequested() && !limit_reached) {
        if (Result<int> polled = live->poll(100, handler); !polled) {
            exit_code = reportError(kExitRuntimeError, polled.error());
            break;
        }
        pipeline->advanceTime(wallClockMicros());
        double now = run.seconds();
        rows.endRound(pipeline->flowsExported(), now);
        if (metrics) {
            CaptureCounters counters = pipeline->counters();
            const PcapLive::Drops drops = live->drops();
            counters.dropped = drops.kernel + drops.interface;
            metrics->publish(pcapMetrics(options, now, counters, pipeline->activeFlows(),
                                         pipeline->flowsExported(), pipeline->sink()));
        }
        if (options.max_time_s && now > *options.max_time_s)
            break;
        if (options.stats && now >= next_status) {
            uint64_t read = pipeline->counters().read;
            std::fprintf(
                stderr, "%s\n",
                formatStatus(status(*pipeline, read - packets_at_status, live->drops().kernel))
                    .c_str());
            packets_at_status = read;
            next_status += 1.0;
        }
    }

    CaptureCounters counters = pipeline->counters();
    PcapLive::Drops drops = live->drops();
    counters.dropped = drops.kernel + drops.interface;
    const Result<void> written = pipeline->finish();
    return reportRunEnd(exit_code, written, counters, pipeline->flowsExported(), run.seconds(),
                        pipeline->sinkSummary());
}

}  // namespace netflow

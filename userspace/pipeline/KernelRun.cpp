#include "pipeline/KernelRun.h"

#include <cstdio>
#include <memory>

#include "cli/CommandLine.h"
#include "common/Clock.h"
#include "filter/FilterError.h"
#include "kernel/KernelSession.h"
#include "kernel/LibbpfLog.h"
#include "pipeline/FlowOutput.h"
#include "pipeline/FlowPipeline.h"
#include "pipeline/KernelFlowEngine.h"
#include "pipeline/LiveMetrics.h"
#include "pipeline/Privileges.h"
#include "pipeline/RowFlusher.h"
#include "pipeline/RunSummary.h"
#include "common/StopSignal.h"

namespace netflow {
namespace {

XdpMode xdpMode(XdpModeOption mode) {
    switch (mode) {
        case XdpModeOption::Native:
            return XdpMode::Native;
        case XdpModeOption::Generic:
            return XdpMode::Generic;
        default:
            return XdpMode::Auto;
    }
}

SessionConfig sessionConfig(const Options &o, const MeterConfig &meter) {
    SessionConfig config;
    config.interface = o.interface;
    config.counting.timeouts = meter.timeouts;
    config.counting.budget = meter.budget;
    config.counting.capture_mode = o.capture == CaptureMode::Tap ? NF_CAPTURE_TAP : NF_CAPTURE_HOST;
    config.counting.flow_map_entries = o.flow_map_entries;
    // Evaluated in the programs, on every frame before it is counted.
    config.counting.filter = o.filter;
    config.attach.xdp_mode = xdpMode(o.xdp_mode);
    config.attach.tc_ingress = o.xdp_mode == XdpModeOption::Tc;
    // A tap (mirror port) only receives: XDP alone, no TC egress.
    config.attach.egress = o.capture != CaptureMode::Tap;
    return config;
}

// The kernel's statistics in the offline path's buckets, for the summary.
CaptureCounters summaryCounters(const nf_kern_stats &s) {
    CaptureCounters c;
    c.read = s.counters[NF_STAT_SEEN];
    c.counted = s.counters[NF_STAT_COUNTED] + s.counters[NF_STAT_MAP_FULL];
    c.filtered_out = s.counters[NF_STAT_FILTERED_OUT];
    c.not_ip = s.counters[NF_STAT_NOT_IP];
    c.truncated = s.counters[NF_STAT_TRUNCATED];
    c.malformed = s.counters[NF_STAT_MALFORMED];
    c.dropped = s.counters[NF_STAT_RINGBUF_FAILED];
    return c;
}

LiveStatus status(const nf_kern_stats &s, uint64_t seen_before, const KernelFlowEngine &engine,
                  uint64_t xsk_lost) {
    const KernelFlowEngine::Counters c = engine.counters();
    const CaptureCounters counters = summaryCounters(s);
    LiveStatus line;
    line.packets = s.counters[NF_STAT_SEEN];
    line.packets_per_second = s.counters[NF_STAT_SEEN] - seen_before;
    const uint64_t written = c.flows_exported + c.beyond_limit;
    line.flows_active = engine.flowsStarted() > written ? engine.flowsStarted() - written : 0;
    line.flows_exported = c.flows_exported;
    line.not_counted = counters.notCounted();
    line.lost =
        s.counters[NF_STAT_RINGBUF_FAILED] + s.counters[NF_STAT_PAYLOAD_COPY_FAILED] + xsk_lost;
    line.kernel = true;
    line.map_full = s.counters[NF_STAT_MAP_FULL];
    line.payload_copies = s.counters[NF_STAT_PAYLOAD_COPIED] + s.counters[NF_STAT_XSK_REDIRECTED];
    return line;
}

void printCount(uint64_t n, const char *what) {
    if (n)
        std::fprintf(stderr, "netflow: %llu %s\n", static_cast<unsigned long long>(n), what);
}

// After the summary: every packet or flow the kernel path could not treat
// as the offline path would, and why (-v: the payload order too).
void reportKernelDetails(const Options &options, const nf_kern_stats &s,
                         const KernelFlowEngine::Counters &c, const KernelSession::End &end) {
    auto n = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    if (options.verbose) {
        std::fprintf(stderr,
                     "netflow: payload records: %llu read, %llu put back in their flow's order, "
                     "%llu went to DPI with an earlier one missing (lost on the way), %llu came "
                     "after their flow was written (not used)\n",
                     n(c.payload_records), n(c.payload_reordered), n(c.payload_past_gap),
                     n(c.late_payload));
        std::fprintf(stderr,
                     "netflow: DPI done early: %llu flows marked in the kernel (%llu marks "
                     "failed: those flows sent their budget in full)\n",
                     n(c.dpi_done_marks), n(c.dpi_done_failures));
        std::fprintf(stderr,
                     "netflow: %llu packets counted in userspace (flow map full), %llu flows "
                     "swept as a packet restarted them (written once, as swept)\n",
                     n(c.overflow_packets), n(c.sweep_raced));
        std::fprintf(stderr,
                     "netflow: expiry: %llu flows started in the kernel, %llu ended by their "
                     "timer, %llu by a packet; %llu timer ends waited for room on the ring, "
                     "%llu packets came as their timer ended the flow (counted in userspace); "
                     "%llu timers failed to set up, %llu set up by a later packet "
                     "(%llu safety sweeps of the map took %llu flows)\n",
                     n(s.counters[NF_STAT_FLOWS_STARTED]), n(s.counters[NF_STAT_FLOWS_EXPIRED]),
                     n(s.counters[NF_STAT_FLOWS_ENDED]), n(s.counters[NF_STAT_EXPIRY_DEFERRED]),
                     n(s.counters[NF_STAT_EXPIRY_RACED]), n(s.counters[NF_STAT_TIMER_FAILED]),
                     n(s.counters[NF_STAT_TIMER_RETRIED]), n(c.safety_sweeps), n(c.safety_swept));
        std::fprintf(stderr,
                     "netflow: flows without a timer: %llu sent to userspace (%llu lost on a "
                     "full ring), %llu looked up at their deadline, %llu expired there, %llu "
                     "later, %llu got a timer, %llu found its lock busy; %llu full reads of "
                     "the map while running\n",
                     n(s.counters[NF_STAT_TIMERLESS_SENT]), n(s.counters[NF_STAT_TIMERLESS_LOST]),
                     n(c.timerless.lookups), n(c.timerless.taken), n(c.timerless.requeued),
                     n(c.timerless.timed), n(c.timerless.raced), n(c.full_map_reads));
    }
    printCount(s.counters[NF_STAT_LOCK_BUSY],
               "packets found their flow's lock held too long and were counted in userspace");
    printCount(c.beyond_limit, "flows beyond --max-flows were counted, not written");
    if (end.xsk) {
        std::fprintf(stderr, "%s\n",
                     formatXskSummary(*end.xsk, end.xsk_sockets, end.xsk_mode,
                                      s.counters[NF_STAT_XSK_REDIRECTED])
                         .c_str());
        printCount(s.counters[NF_STAT_XSK_REDIRECT_FAILED],
                   "payload packets found no AF_XDP socket on their RX queue and were copied "
                   "to the payload ring instead");
        printCount(end.xsk->lost(),
                   "payload packets lost on the AF_XDP sockets: their flows were classified on "
                   "fewer packets");
    }
    printCount(s.counters[NF_STAT_MAP_FULL],
               "packets found the flow map full and were counted in userspace "
               "(--flow-map-size)");
    if (options.verbose && s.counters[NF_STAT_MAP_FULL])
        std::fprintf(stderr,
                     "netflow: the kernel's flow map (%u flows) was full: raise --flow-map-size "
                     "above the flows alive at once\n",
                     options.flow_map_entries);
    printCount(s.counters[NF_STAT_PAYLOAD_COPY_FAILED],
               "payload copies lost (payload ring full): their flows were classified on fewer "
               "packets");
}

// The rows exported from now on take the wall clock's offset to the
// kernel's monotonic clock as it is now: a wall clock stepped while the
// sensor runs (NTP's first sync after boot, date -s) moves their times with
// it, as libpcap's stamps move (steps of a millisecond or more). A step of a
// second or more is said with -v.
void followWallClock(FlowOutput &output, bool verbose) {
    const int64_t now = monotonicToWallMicros();
    const int64_t step = now - output.clockOffset();
    // The two clocks are read one after the other: their difference wobbles
    // by a microsecond or so from read to read, which must not move rows.
    if (step > -1000 && step < 1000)
        return;
    if (verbose && (step >= 1000000 || step <= -1000000))
        std::fprintf(stderr,
                     "netflow: the wall clock moved %+.3f s against the monotonic clock; rows "
                     "exported from now on follow it\n",
                     static_cast<double>(step) / 1e6);
    output.setClockOffset(now);
}

}  // namespace

SessionConfig kernelSessionConfig(const Options &options) {
    return sessionConfig(options, meterConfig(options));
}

CaptureCounters kernelCaptureCounters(const nf_kern_stats &stats) {
    return summaryCounters(stats);
}

int runKernelLive(const Options &options) {
    const MeterConfig meter = meterConfig(options);
    // libbpf's own messages (the verifier's log, why an attach failed) go
    // to stderr as "netflow: libbpf: ..." with -v, nowhere without it.
    routeLibbpfLog(options.verbose);
    std::unique_ptr<MetricsServer> metrics;  // --metrics: listening before anything attaches
    try {
        metrics = openMetricsServer(options);
    } catch (const std::runtime_error &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    std::unique_ptr<KernelSession> session;
    try {
        session = std::make_unique<KernelSession>(sessionConfig(options, meter));
    } catch (const FilterError &e) {
        // The user's mistake, the same under libpcap: no fallback.
        return reportError(kExitUsage, e.what());
    }

    // Kernel times are CLOCK_MONOTONIC; rows carry wall-clock times, at the
    // offset of the round they are exported in (followWallClock).
    std::unique_ptr<FlowOutput> output;
    try {
        output = std::make_unique<FlowOutput>(options, monotonicToWallMicros());
    } catch (const std::runtime_error &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    KernelFlowEngine engine(meter, session->programs(), output->classifier(), output->sink());
    try {
        session->readInto(engine);
    } catch (const KernelError &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    // Set up: from here on, no capability the run can do without (Privileges.h).
    if (Result<void> dropped = dropKernelRunPrivileges(options.user, *session); !dropped)
        return reportError(kExitRuntimeError, dropped.error());
    if (metrics)
        metrics->start();
    if (options.verbose) {
        for (const std::string &line : session->describe())
            std::fprintf(stderr, "netflow: %s\n", line.c_str());
    }

    const Stopwatch run;
    int exit_code = kExitOk;
    auto report = [&](const std::string &what) {
        exit_code = reportError(kExitRuntimeError, what);
    };
    RowFlusher rows(output->sink());
    double next_export = RowFlusher::kRoundSeconds;
    double next_sweep = 1.0;
    uint64_t seen_at_status = 0;
    // Every round (0.1 s): the rings read, the flows collected a round ago
    // exported, the rows flushed. Every second: the sweep, --max-flows,
    // --stats.
    while (!stopRequested()) {
        if (Result<void> waited = session->wait(100); !waited) {
            report(waited.error());
            break;
        }
        const double now = run.seconds();
        if (options.max_time_s && now > *options.max_time_s)
            break;
        if (now >= next_export) {
            next_export = now + RowFlusher::kRoundSeconds;
            if (Result<void> read = session->readRings(); !read) {
                report(read.error());
                break;
            }
            if (Result<size_t> taken = engine.expireTimerless(clockMicros(CLOCK_MONOTONIC));
                !taken) {
                report(taken.error());
                break;
            }
            followWallClock(*output, options.verbose);
            engine.exportRound();
            rows.endRound(engine.counters().flows_exported, now);
            if (metrics)
                publishKernelMetrics(*metrics, options, now, *session, engine, output->sink());
        }
        if (now < next_sweep)
            continue;
        next_sweep += 1.0;
        Result<nf_kern_stats> s = session->stats();
        if (!s) {
            report(s.error());
            break;
        }
        if (Result<size_t> swept = engine.sweep(clockMicros(CLOCK_MONOTONIC), s.value()); !swept) {
            report(swept.error());
            break;
        }
        if (engine.flowLimitReached())
            break;
        if (options.stats) {
            std::fprintf(stderr, "%s\n",
                         formatStatus(status(s.value(), seen_at_status, engine, session->xskLost()))
                             .c_str());
            seen_at_status = s.value().counters[NF_STAT_SEEN];
        }
    }

    const KernelSession::End end = session->stop();
    for (const std::string &error : end.errors)
        report(error);
    followWallClock(*output, options.verbose);
    if (Result<size_t> drained = engine.finish(); !drained)
        report(drained.error());
    const Result<void> written = output->finish();
    Result<nf_kern_stats> final_stats = session->stats();
    const nf_kern_stats s = final_stats ? final_stats.value() : nf_kern_stats{};
    exit_code = reportRunEnd(exit_code, written, summaryCounters(s),
                             engine.counters().flows_exported, run.seconds(), output->summary());
    reportKernelDetails(options, s, engine.counters(), end);
    return exit_code;
}

}  // namespace netflow

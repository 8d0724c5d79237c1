#include "pipeline/KernelRun.h"

#include <time.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include "cli/CommandLine.h"
#include "features/FlowFeatures.h"
#include "filter/FilterError.h"
#include "kernel/BpfStats.h"
#include "kernel/CountingPrograms.h"
#include "kernel/EventRing.h"
#include "kernel/InterfaceAttachment.h"
#include "kernel/RxQueues.h"
#include "kernel/XskReceiver.h"
#include "pipeline/FlowPipeline.h"
#include "pipeline/KernelFlowEngine.h"
#include "pipeline/Privileges.h"
#include "pipeline/SinkFactory.h"
#include "pipeline/RunSummary.h"
#include "pipeline/StopSignal.h"

namespace netflow {
namespace {

uint64_t clockMicros(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

XdpMode xdpMode(const std::string &mode) {
    return mode == "native"    ? XdpMode::Native
           : mode == "generic" ? XdpMode::Generic
                               : XdpMode::Auto;
}

CountingConfig countingConfig(const Options &o, const MeterConfig &meter) {
    CountingConfig config;
    config.timeouts = meter.timeouts;
    config.budget = meter.budget;
    config.capture_mode = o.capture == "tap" ? NF_CAPTURE_TAP : NF_CAPTURE_HOST;
    config.flow_map_entries = o.flow_map_entries;
    // Evaluated in the programs, on every frame before it is counted.
    config.filter = o.filter;
    return config;
}

// The kernel's statistics in the offline path's buckets, for the summary.
CaptureCounters summaryCounters(const nf_kern_stats &s, uint64_t ring_failures) {
    CaptureCounters c;
    c.read = s.counters[NF_STAT_SEEN];
    c.counted = s.counters[NF_STAT_COUNTED] + s.counters[NF_STAT_MAP_FULL];
    c.filtered_out = s.counters[NF_STAT_FILTERED_OUT];
    c.not_ip = s.counters[NF_STAT_NOT_IP];
    c.truncated = s.counters[NF_STAT_TRUNCATED];
    c.malformed = s.counters[NF_STAT_MALFORMED];
    c.dropped = ring_failures;
    return c;
}

// tap: an AF_XDP socket on every RX queue the XSKMAP has room for, bound and
// registered. Zero-copy is tried only under native XDP: generic XDP hands
// the socket skbs, which are always copied.
Result<std::unique_ptr<XskReceiver>> openTapSockets(const Options &options,
                                                    const CountingPrograms &programs,
                                                    const InterfaceAttachment &attachment) {
    using R = Result<std::unique_ptr<XskReceiver>>;
    const RxQueues queues = rxQueues(options.interface);
    const uint32_t usable = std::min(queues.count, programs.config().xsk_queues);
    std::unique_ptr<XskReceiver> xsk;
    try {
        xsk = std::make_unique<XskReceiver>(options.interface, usable,
                                            attachment.xdpMode() == XdpMode::Native);
    } catch (const KernelError &e) {
        return R::failure(e.what());
    }
    if (Result<bool> ok = xsk->registerWith(programs); !ok)
        return R::failure(ok.error());
    if (options.verbose) {
        std::fprintf(stderr, "netflow: %s: %u RX queues (%s)\n", options.interface.c_str(),
                     queues.count, queues.source.c_str());
        if (usable < queues.count)
            std::fprintf(stderr,
                         "netflow: RX queues %u and up have no AF_XDP socket: their payload "
                         "packets are copied to the payload ring\n",
                         usable);
        for (const std::string &line : xsk->describe())
            std::fprintf(stderr, "netflow: %s\n", line.c_str());
    }
    return xsk;
}

void printStatus(const nf_kern_stats &s, uint64_t seen_before, const KernelFlowEngine &engine,
                 uint64_t xsk_lost) {
    const auto c = engine.counters();
    std::fprintf(
        stderr,
        "netflow: %llu packets (%llu/s), %llu flows exported, %llu map full, "
        "%llu payload copies, %llu lost\n",
        static_cast<unsigned long long>(s.counters[NF_STAT_SEEN]),
        static_cast<unsigned long long>(s.counters[NF_STAT_SEEN] - seen_before),
        static_cast<unsigned long long>(c.flows_exported),
        static_cast<unsigned long long>(s.counters[NF_STAT_MAP_FULL]),
        static_cast<unsigned long long>(s.counters[NF_STAT_PAYLOAD_COPIED] +
                                        s.counters[NF_STAT_XSK_REDIRECTED]),
        static_cast<unsigned long long>(s.counters[NF_STAT_RINGBUF_FAILED] +
                                        s.counters[NF_STAT_PAYLOAD_COPY_FAILED] + xsk_lost));
}

}  // namespace

KernelRunResult runKernelLive(const Options &options) {
    auto fail = [](int code, const std::string &message) {
        return KernelRunResult{reportError(code, message), {}, false};
    };
    const MeterConfig meter = meterConfig(options);
    std::unique_ptr<CountingPrograms> programs;
    try {
        programs = std::make_unique<CountingPrograms>(countingConfig(options, meter));
    } catch (const FilterError &e) {
        // The user's mistake, the same under libpcap: no fallback.
        return fail(kExitUsage, e.what());
    } catch (const std::exception &e) {
        return KernelRunResult{kExitRuntimeError, e.what(), false};
    }
    AttachOptions attach_options;
    attach_options.xdp_mode = xdpMode(options.xdp_mode);
    // A tap (mirror port) only receives: XDP alone, no TC egress.
    const bool tap = options.capture == "tap";
    attach_options.egress = !tap;
    AttachStage failed_at = AttachStage::Hook;
    auto attachment =
        InterfaceAttachment::attach(options.interface, *programs, attach_options, &failed_at);
    if (!attachment)
        return KernelRunResult{kExitRuntimeError, attachment.error(),
                               failed_at != AttachStage::Hook};
    // Before the output exists: a tap without its sockets captured nothing.
    std::unique_ptr<XskReceiver> xsk;
    if (tap) {
        auto opened = openTapSockets(options, *programs, attachment.value());
        if (!opened)
            return KernelRunResult{kExitRuntimeError, opened.error(), false};
        xsk = std::move(opened.value());
    }

    // Kernel times are CLOCK_MONOTONIC; rows carry wall-clock times.
    const int64_t clock_offset = static_cast<int64_t>(clockMicros(CLOCK_REALTIME)) -
                                 static_cast<int64_t>(clockMicros(CLOCK_MONOTONIC));
    FlowClassifier classifier(selectsColumn(options, Column::SERVER_NAME));
    FlowFeatures features(classifier, labelSpec(options), clock_offset);
    std::unique_ptr<FlowSink> writer;
    try {
        writer = makeSink(options, features);
    } catch (const std::runtime_error &e) {
        return fail(kExitRuntimeError, e.what());
    }
    KernelFlowEngine engine(meter, *programs, classifier, *writer);
    if (options.max_flows)
        engine.setFlowLimit(*options.max_flows);
    std::unique_ptr<EventRing> rings;
    try {
        rings = std::make_unique<EventRing>(programs->payloadMapFd(), engine);
        rings->addRing(programs->eventsMapFd());
    } catch (const std::exception &e) {
        return fail(kExitRuntimeError, e.what());
    }
    BpfStats stats(programs->statsMapFd());
    // Set up: from here on, no capability the run can do without (Privileges.h).
    if (std::string e = dropKernelRunPrivileges(options.user, attachment.value(),
                                                [&] { return stats.read().ok(); });
        !e.empty())
        return fail(kExitRuntimeError, e);
    if (options.verbose) {
        std::fprintf(stderr, "netflow: capturing on %s\n", attachment.value().describe().c_str());
        for (const std::string &note : attachment.value().notes())
            std::fprintf(stderr, "netflow: %s\n", note.c_str());
        if (options.filter)
            std::fprintf(stderr,
                         "netflow: --filter '%s' runs in the XDP and TC programs (%zu and %zu "
                         "eBPF instructions)\n",
                         options.filter->c_str(), programs->xdpFilterInstructions(),
                         programs->tcFilterInstructions());
    }

    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    int exit_code = kExitOk;
    double next_round = 1.0;
    uint64_t seen_at_status = 0;
    auto report = [&](const std::string &what) {
        exit_code = reportError(kExitRuntimeError, what);
    };
    uint64_t xsk_lost = 0;
    while (!stopRequested()) {
        // tap: the payload comes on the AF_XDP sockets, so they are what
        // is waited on; the rings (flow ends, ring copies) are read after.
        if (xsk) {
            Result<size_t> received = xsk->poll(100, engine);
            if (!received) {
                report(received.error());
                break;
            }
        }
        Result<int> polled = xsk ? rings->consume() : rings->poll(100);
        if (!polled) {
            report(polled.error());
            break;
        }
        double now = elapsed();
        if (options.max_time_s && now > *options.max_time_s)
            break;
        if (now < next_round)
            continue;
        next_round += 1.0;
        Result<size_t> swept = engine.round(clockMicros(CLOCK_MONOTONIC));
        if (!swept) {
            report(swept.error());
            break;
        }
        // --max-flows: stop once that many flows have started; the first
        // that many are written, later ones only counted (summary).
        if (options.max_flows && engine.flowsStarted() >= *options.max_flows)
            break;
        if (options.stats) {
            if (xsk) {
                if (Result<XskCounters> c = xsk->counters())
                    xsk_lost = c.value().lost();
            }
            if (Result<nf_kern_stats> s = stats.read()) {
                printStatus(s.value(), seen_at_status, engine, xsk_lost);
                seen_at_status = s.value().counters[NF_STAT_SEEN];
            }
        }
    }

    // Stop counting first, then read what the programs left. A packet
    // already inside a program on another CPU may still update the maps
    // just after the detach: a short pause lets it finish.
    std::string detach_error = attachment.value().detach();
    if (!detach_error.empty())
        report(detach_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (Result<int> last = rings->consume(); !last)
        report(last.error());
    // tap: the frames still on the RX rings, the sockets' counts, then the
    // sockets out of the map and closed (the program no longer runs).
    std::optional<XskCounters> xsk_counters;
    std::string xsk_mode;
    size_t xsk_sockets = 0;
    if (xsk) {
        xsk->drain(engine);
        Result<XskCounters> c = xsk->counters();
        if (c)
            xsk_counters = c.value();
        else
            report(c.error());
        xsk_mode = xsk->modeSummary();
        xsk_sockets = xsk->sockets();
        if (std::string closed = xsk->close(); !closed.empty())
            report(closed);
    }
    if (Result<size_t> drained = engine.finish(); !drained)
        report(drained.error());

    std::string write_error = writer->finish();
    Result<nf_kern_stats> final_stats = stats.read();
    nf_kern_stats s = final_stats ? final_stats.value() : nf_kern_stats{};
    uint64_t lost = s.counters[NF_STAT_RINGBUF_FAILED];
    exit_code = reportRunEnd(exit_code, write_error, summaryCounters(s, lost),
                             engine.counters().flows_exported, elapsed(), writer->summary());
    if (options.verbose)
        std::fprintf(stderr,
                     "netflow: payload records: %llu put back in their flow's order, %llu went "
                     "to DPI with an earlier one missing (lost on the way)\n",
                     static_cast<unsigned long long>(engine.counters().payload_reordered),
                     static_cast<unsigned long long>(engine.counters().payload_past_gap));
    if (engine.counters().beyond_limit)
        std::fprintf(stderr, "netflow: %llu flows beyond --max-flows were counted, not written\n",
                     static_cast<unsigned long long>(engine.counters().beyond_limit));
    if (xsk_counters)
        std::fprintf(stderr, "%s\n",
                     formatXskSummary(*xsk_counters, xsk_sockets, xsk_mode,
                                      s.counters[NF_STAT_XSK_REDIRECTED])
                         .c_str());
    if (xsk_counters && s.counters[NF_STAT_XSK_REDIRECT_FAILED])
        std::fprintf(stderr,
                     "netflow: %llu payload packets found no AF_XDP socket on their RX queue and "
                     "were copied to the payload ring instead\n",
                     static_cast<unsigned long long>(s.counters[NF_STAT_XSK_REDIRECT_FAILED]));
    if (xsk_counters && xsk_counters->lost())
        std::fprintf(stderr,
                     "netflow: %llu payload packets lost on the AF_XDP sockets: their flows were "
                     "classified on fewer packets\n",
                     static_cast<unsigned long long>(xsk_counters->lost()));
    if (s.counters[NF_STAT_MAP_FULL])
        std::fprintf(stderr,
                     "netflow: %llu packets found the flow map full and were counted in "
                     "userspace (--flow-map-size)\n",
                     static_cast<unsigned long long>(s.counters[NF_STAT_MAP_FULL]));
    if (s.counters[NF_STAT_PAYLOAD_COPY_FAILED])
        std::fprintf(stderr,
                     "netflow: %llu payload copies lost (payload ring full): their flows were "
                     "classified on fewer packets\n",
                     static_cast<unsigned long long>(s.counters[NF_STAT_PAYLOAD_COPY_FAILED]));
    return KernelRunResult{exit_code, {}, false};
}

}  // namespace netflow

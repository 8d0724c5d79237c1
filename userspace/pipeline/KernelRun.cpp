#include "pipeline/KernelRun.h"

#include <time.h>
#include <sys/time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include "cli/CommandLine.h"
#include "features/FlowFeatures.h"
#include "kernel/BpfStats.h"
#include "kernel/CountingPrograms.h"
#include "kernel/EventRing.h"
#include "kernel/InterfaceAttachment.h"
#include "output/CsvWriter.h"
#include "pipeline/FlowPipeline.h"
#include "pipeline/KernelFlowEngine.h"
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
    return mode == "native" ? XdpMode::Native : mode == "generic" ? XdpMode::Generic : XdpMode::Auto;
}

CountingConfig countingConfig(const Options &o, const MeterConfig &meter) {
    CountingConfig config;
    config.timeouts = meter.timeouts;
    config.budget = meter.budget;
    config.capture_mode = o.capture == "tap" ? NF_CAPTURE_TAP : NF_CAPTURE_HOST;
    config.flow_map_entries = o.flow_map_entries;
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

void printStatus(const nf_kern_stats &s, uint64_t seen_before, const KernelFlowEngine &engine) {
    const auto c = engine.counters();
    std::fprintf(stderr,
                 "netflow: %llu packets (%llu/s), %llu flows exported, %llu map full, "
                 "%llu payload copies, %llu lost\n",
                 static_cast<unsigned long long>(s.counters[NF_STAT_SEEN]),
                 static_cast<unsigned long long>(s.counters[NF_STAT_SEEN] - seen_before),
                 static_cast<unsigned long long>(c.flows_exported),
                 static_cast<unsigned long long>(s.counters[NF_STAT_MAP_FULL]),
                 static_cast<unsigned long long>(s.counters[NF_STAT_PAYLOAD_COPIED]),
                 static_cast<unsigned long long>(s.counters[NF_STAT_RINGBUF_FAILED] +
                                                 s.counters[NF_STAT_PAYLOAD_COPY_FAILED]));
}

}  // namespace

KernelRunResult runKernelLive(const Options &options) {
    auto fail = [](int code, const std::string &message) {
        std::fprintf(stderr, "netflow: error: %s\n", message.c_str());
        return KernelRunResult{code, {}};
    };
    if (options.capture == "tap")
        return fail(kExitUsage, "--capture tap is not yet available on the kernel path");

    const MeterConfig meter = meterConfig(options);
    std::unique_ptr<CountingPrograms> programs;
    try {
        programs = std::make_unique<CountingPrograms>(countingConfig(options, meter));
    } catch (const std::exception &e) {
        return KernelRunResult{kExitRuntimeError, e.what()};
    }
    AttachOptions attach_options;
    attach_options.xdp_mode = xdpMode(options.xdp_mode);
    auto attachment = InterfaceAttachment::attach(options.interface, *programs, attach_options);
    if (!attachment)
        return KernelRunResult{kExitRuntimeError, attachment.error()};

    // Kernel times are CLOCK_MONOTONIC; rows carry wall-clock times.
    const int64_t clock_offset = static_cast<int64_t>(clockMicros(CLOCK_REALTIME)) -
                                 static_cast<int64_t>(clockMicros(CLOCK_MONOTONIC));
    FlowClassifier classifier(selectsColumn(options, Column::SERVER_NAME));
    FlowFeatures features(classifier, labelSpec(options), clock_offset);
    std::unique_ptr<CsvWriter> writer;
    try {
        writer = std::make_unique<CsvWriter>(options.output, options.columns, features);
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
    if (options.verbose) {
        std::fprintf(stderr, "netflow: capturing on %s\n",
                     attachment.value().describe().c_str());
        for (const std::string &note : attachment.value().notes())
            std::fprintf(stderr, "netflow: %s\n", note.c_str());
    }

    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    int exit_code = kExitOk;
    double next_round = 1.0;
    uint64_t seen_at_status = 0;
    auto report = [&](const std::string &what) {
        std::fprintf(stderr, "netflow: error: %s\n", what.c_str());
        exit_code = kExitRuntimeError;
    };
    while (!stopRequested()) {
        Result<int> polled = rings->poll(100);
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
            if (Result<nf_kern_stats> s = stats.read()) {
                printStatus(s.value(), seen_at_status, engine);
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
    if (Result<size_t> drained = engine.finish(); !drained)
        report(drained.error());

    std::string write_error = writer->finish();
    if (!write_error.empty())
        report(write_error);
    Result<nf_kern_stats> final_stats = stats.read();
    nf_kern_stats s = final_stats ? final_stats.value() : nf_kern_stats{};
    uint64_t lost = s.counters[NF_STAT_RINGBUF_FAILED];
    std::fprintf(stderr, "%s\n",
                 formatSummary(summaryCounters(s, lost), engine.counters().flows_exported,
                               elapsed())
                     .c_str());
    if (engine.counters().beyond_limit)
        std::fprintf(stderr, "netflow: %llu flows beyond --max-flows were counted, not written\n",
                     static_cast<unsigned long long>(engine.counters().beyond_limit));
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
    return KernelRunResult{exit_code, {}};
}

}  // namespace netflow

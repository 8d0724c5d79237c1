#include "pipeline/OfflineRun.h"

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <type_traits>

#include "capture/CaptureInputs.h"
#include "capture/MergedCapture.h"
#include "capture/PacketDecoders.h"
#include "cli/CommandLine.h"
#include "common/Clock.h"
#include "pipeline/FlowPipeline.h"
#include "pipeline/ProgressBar.h"
#include "pipeline/RowFlusher.h"
#include "pipeline/RunSummary.h"
#include "pipeline/ThreadedPipeline.h"
#include "common/StopSignal.h"

namespace netflow {
namespace {

// Creating the CSV truncates it: it must never be the capture being read.
bool sameFile(const std::string &a, const std::string &b) {
    struct stat sa {
    }, sb{};
    return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// The offline run's one read loop, for the one-thread FlowPipeline and the
// threaded pipeline alike: every packet of the merged capture, decoded for
// its own link type, through the pipeline (afterFrame(): false stops the
// run), the progress bar, --max-time and stop signals; a file that cannot
// be read further is one line and the others go on (exit 1). Then the
// pipeline's end and the run's summary.
template <typename Pipeline, typename AfterFrame>
int readCapture(const Options &options, const Stopwatch &run, std::optional<StopTimer> &deadline,
                MergedCapture &capture, const PacketDecoders &decoders, int exit_code,
                Pipeline &pipeline, AfterFrame &&afterFrame) {
    int link_type = capture.linkTypes().front().dlt;
    pipeline.setDecoder(decoders.forLinkType(link_type));
    ProgressBar progress(capture.totalBytes());
    MergedCapture::Packet packet;
    while (!stopRequested()) {
        Result<MergedCapture::Next> next = capture.next(packet);
        // A stop signal (or --max-time) interrupts a blocked read: not an error.
        if (!next && stopRequested())
            break;
        if (!next) {
            // That file is closed; the others go on.
            progress.clear();
            exit_code = reportError(kExitRuntimeError, next.error());
            continue;
        }
        if (next.value() == MergedCapture::Next::End)
            break;
        if (packet.link_type != link_type) {
            link_type = packet.link_type;
            pipeline.setDecoder(decoders.forLinkType(link_type));
        }
        bool more;
        if constexpr (std::is_same_v<Pipeline, ThreadedPipeline>)
            more = pipeline.onFrame(*packet.header, packet.data, packet.block);
        else
            more = pipeline.onFrame(*packet.header, packet.data);
        if (!more || !afterFrame())
            break;  // --max-flows reached
        const uint64_t read = pipeline.counters().read;
        progress.update([&] { return capture.bytesRead(); }, read, pipeline.flowsStarted());
        if (options.max_time_s && (read & 0x3FF) == 0 && run.seconds() > *options.max_time_s)
            break;
    }
    progress.clear();
    deadline.reset();

    const Result<void> written = pipeline.finish();
    return reportRunEnd(exit_code, written, pipeline.counters(), pipeline.flowsExported(),
                        run.seconds(), pipeline.sinkSummary());
}

}  // namespace

int runOffline(const Options &options) {
    const Stopwatch run;

    // --max-time also ends a read blocked on a stalled pipe or FIFO.
    std::optional<StopTimer> deadline;
    if (options.max_time_s)
        deadline.emplace(*options.max_time_s);
    // Opening a FIFO blocks until a writer comes: a signal then ends the run.
    std::optional<StopImmediately> before_start(std::in_place);
    // Every -f as one capture; an input that cannot be read (missing, not
    // a capture, a link type we do not decode) is one line, the others are
    // still read, and the run exits 1.
    CaptureInputs inputs = expandCaptureInputs(options.files);
    MergedCapture capture(inputs.files);
    std::vector<std::string> problems = std::move(inputs.problems);
    problems.insert(problems.end(), capture.problems().begin(), capture.problems().end());
    int exit_code = problems.empty() ? kExitOk : kExitRuntimeError;
    if (capture.fileCount() == 0) {
        for (const std::string &p : problems)
            reportError(kExitRuntimeError, p);
        return kExitRuntimeError;
    }
    // The link type first: a filter for one that is not supported is not
    // the filter's fault (same error, same exit code, with or without it).
    std::unique_ptr<PacketDecoders> decoders;
    try {
        decoders = std::make_unique<PacketDecoders>(capture.linkTypes(), options.filter);
    } catch (const FilterError &e) {
        return reportError(kExitUsage, e.what());
    }
    for (size_t i = 0; i < capture.fileCount(); i++) {
        if (postsUrl(options) && sameFile(capture.path(i), options.http.spool_path))
            return reportError(
                kExitUsage, "--spool " + options.http.spool_path + " is the input capture itself");
    }
    for (const KafkaOptions &kafka : options.kafka_exports) {
        for (size_t i = 0; i < capture.fileCount(); i++) {
            if (sameFile(capture.path(i), kafka.spool_path))
                return reportError(kExitUsage,
                                   "--spool " + kafka.spool_path + " is the input capture itself");
        }
    }
    before_start.reset();
    for (size_t i = 0; i < capture.fileCount(); i++) {
        if (writesCsv(options) && sameFile(capture.path(i), options.output))
            return reportError(kExitUsage,
                               "output " + options.output + " is the input capture itself");
    }
    for (const std::string &p : problems)
        reportError(kExitRuntimeError, p);

    // --max-flows stops before the packet that starts flow N+1 of the
    // capture, which only one meter seeing every flow can tell; a stream
    // (stdin, a FIFO) keeps one thread unless asked, so that each row
    // leaves as soon as it is exported (docs/threads.md).
    const unsigned workers = options.max_flows ? 1
                             : options.threads ? options.threads
                                               : (capture.hasStream() ? 1 : flowWorkers(options));
    const PacketDecoder first_decoder = decoders->forLinkType(capture.linkTypes().front().dlt);
    if (workers > 1) {
        std::unique_ptr<ThreadedPipeline> pipeline;
        try {
            pipeline = std::make_unique<ThreadedPipeline>(options, first_decoder, workers,
                                                          capture.hasStream());
        } catch (const std::runtime_error &e) {
            return reportError(kExitRuntimeError, e.what());
        }
        const int code = readCapture(options, run, deadline, capture, *decoders, exit_code,
                                     *pipeline, [] { return true; });
        if (options.verbose)
            std::fprintf(stderr, "netflow: %s\n", pipeline->threadTimes().c_str());
        return code;
    }

    std::unique_ptr<FlowPipeline> pipeline;
    try {
        pipeline = std::make_unique<FlowPipeline>(options, first_decoder.linkType(), nullptr);
    } catch (const std::runtime_error &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    // A stream (stdin, a FIFO) is read as it is written: each row goes to
    // the reader as soon as it is exported. A file keeps the writer's buffer.
    std::optional<RowFlusher> rows;
    if (capture.hasStream())
        rows.emplace(pipeline->sink());
    return readCapture(options, run, deadline, capture, *decoders, exit_code, *pipeline, [&] {
        if (rows)
            rows->flushNew(pipeline->flowsExported());
        return true;
    });
}

}  // namespace netflow

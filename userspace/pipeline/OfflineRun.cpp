#include "pipeline/OfflineRun.h"

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "filter/BpfFilter.h"
#include "capture/LinkLayer.h"
#include "capture/PcapFile.h"
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

// Every frame of the file through `onFrame` (false: stop), then the
// pipeline's end and the run's summary.
template <typename Pipeline, typename OnFrame>
int readCapture(const Options &options, const Stopwatch &run, std::optional<StopTimer> &deadline,
                PcapFile &file, Pipeline &pipeline, OnFrame &&onFrame) {
    ProgressBar progress(file.fileSize());
    int exit_code = kExitOk;
    std::string read_error;
    const pcap_pkthdr *header;
    const uint8_t *frame;
    while (!stopRequested()) {
        Result<PcapFile::Next> next = file.next(header, frame);
        // A stop signal (or --max-time) interrupts a blocked read: not an error.
        if ((next && next.value() == PcapFile::Next::End) || (!next && stopRequested()))
            break;
        if (!next) {
            read_error = next.error();
            exit_code = kExitRuntimeError;
            break;
        }
        if (!onFrame(*header, frame))
            break;
        const uint64_t read = pipeline.counters().read;
        progress.update([&] { return file.bytesRead(); }, read, pipeline.flowsStarted());
        if (options.max_time_s && (read & 0x3FF) == 0 && run.seconds() > *options.max_time_s)
            break;
    }
    progress.clear();
    deadline.reset();

    const Result<void> written = pipeline.finish();
    if (!read_error.empty())
        reportError(exit_code, read_error);
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
    std::unique_ptr<PcapFile> file;
    try {
        file = std::make_unique<PcapFile>(options.file);
    } catch (const CaptureError &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    // The link type first: a filter for one that is not supported is not
    // the filter's fault (same error, same exit code, with or without it).
    if (!isSupportedLinkType(file->linkType()))
        return reportError(kExitRuntimeError, options.file + ": unsupported link type " +
                                                  linkTypeName(file->linkType()));
    std::unique_ptr<BpfFilter> filter;
    if (options.filter) {
        try {
            filter =
                std::make_unique<BpfFilter>(file->linkType(), file->snapLength(), *options.filter);
        } catch (const FilterError &e) {
            return reportError(kExitUsage, e.what());
        }
    }
    if (options.output_kind == OutputKind::Url && sameFile(options.file, options.http.spool_path))
        return reportError(kExitUsage,
                           "--spool " + options.http.spool_path + " is the input capture itself");
    before_start.reset();
    if (options.output_kind == OutputKind::Csv && sameFile(options.file, options.output))
        return reportError(kExitUsage, "output " + options.output + " is the input capture itself");

    // --max-flows stops before the packet that starts flow N+1 of the
    // capture, which only one meter seeing every flow can tell; a stream
    // (stdin, a FIFO) keeps one thread unless asked, so that each row
    // leaves as soon as it is exported (docs/threads.md).
    const unsigned workers = options.max_flows ? 1
                             : options.threads ? options.threads
                                               : (file->isStream() ? 1 : flowWorkers(options));
    if (workers > 1) {
        std::unique_ptr<ThreadedPipeline> pipeline;
        try {
            pipeline = std::make_unique<ThreadedPipeline>(options, file->linkType(), filter.get(),
                                                          workers, file->isStream());
        } catch (const std::runtime_error &e) {
            return reportError(kExitRuntimeError, e.what());
        }
        const int exit_code = readCapture(options, run, deadline, *file, *pipeline,
                                          [&](const pcap_pkthdr &h, const uint8_t *frame) {
                                              pipeline->onFrame(h, frame);
                                              return true;
                                          });
        if (options.verbose)
            std::fprintf(stderr, "netflow: %s\n", pipeline->threadTimes().c_str());
        return exit_code;
    }

    std::unique_ptr<FlowPipeline> pipeline;
    try {
        pipeline = std::make_unique<FlowPipeline>(options, file->linkType(), filter.get());
    } catch (const std::runtime_error &e) {
        return reportError(kExitRuntimeError, e.what());
    }
    // A stream (stdin, a FIFO) is read as it is written: each row goes to
    // the reader as soon as it is exported. A file keeps the writer's buffer.
    std::optional<RowFlusher> rows;
    if (file->isStream())
        rows.emplace(pipeline->sink());
    return readCapture(options, run, deadline, *file, *pipeline,
                       [&](const pcap_pkthdr &h, const uint8_t *frame) {
                           if (!pipeline->onFrame(h, frame))
                               return false;  // --max-flows reached
                           if (rows)
                               rows->flushNew(pipeline->flowsExported());
                           return true;
                       });
}

}  // namespace netflow

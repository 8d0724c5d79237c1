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
    if (options.output_kind == OutputKind::Kafka &&
        sameFile(options.file, options.kafka.spool_path))
        return reportError(kExitUsage,
                           "--spool " + options.kafka.spool_path + " is the input capture itself");
    before_start.reset();
    if (options.output_kind == OutputKind::Csv && sameFile(options.file, options.output))
        return reportError(kExitUsage, "output " + options.output + " is the input capture itself");

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
    ProgressBar progress(file->fileSize());
    int exit_code = kExitOk;
    std::string read_error;
    const pcap_pkthdr *header;
    const uint8_t *frame;
    while (!stopRequested()) {
        Result<PcapFile::Next> next = file->next(header, frame);
        // A stop signal (or --max-time) interrupts a blocked read: not an error.
        if ((next && next.value() == PcapFile::Next::End) || (!next && stopRequested()))
            break;
        if (!next) {
            read_error = next.error();
            exit_code = kExitRuntimeError;
            break;
        }
        if (!pipeline->onFrame(*header, frame))
            break;  // --max-flows reached
        if (rows)
            rows->flushNew(pipeline->flowsExported());
        const uint64_t read = pipeline->counters().read;
        progress.update([&] { return file->bytesRead(); }, read, pipeline->flowsStarted());
        if (options.max_time_s && (read & 0x3FF) == 0 && run.seconds() > *options.max_time_s)
            break;
    }
    progress.clear();
    deadline.reset();

    const Result<void> written = pipeline->finish();
    if (!read_error.empty())
        reportError(exit_code, read_error);
    return reportRunEnd(exit_code, written, pipeline->counters(), pipeline->flowsExported(),
                        run.seconds(), pipeline->sinkSummary());
}

}  // namespace netflow

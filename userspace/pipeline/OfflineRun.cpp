#include "pipeline/OfflineRun.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "capture/BpfFilter.h"
#include "capture/CaptureCounters.h"
#include "capture/LinkLayer.h"
#include "capture/PacketDecoder.h"
#include "capture/PcapFile.h"
#include "cli/CommandLine.h"
#include "dpi/FlowClassifier.h"
#include "features/FlowFeatures.h"
#include "flow/FlowMeter.h"
#include "output/CsvWriter.h"
#include "pipeline/ProgressBar.h"
#include "pipeline/RunSummary.h"
#include "pipeline/StopSignal.h"

namespace netflow {
namespace {

int fail(int code, const std::string &message) {
    std::fprintf(stderr, "netflow: error: %s\n", message.c_str());
    return code;
}

MeterConfig meterConfig(const Options &o) {
    MeterConfig config;
    config.timeouts.idle_us = static_cast<uint64_t>(o.idle_timeout_s * 1e6);
    config.timeouts.active_us = static_cast<uint64_t>(o.active_timeout_s * 1e6);
    config.budget.dpi_packets = o.dpi_packets;
    config.budget.app_packets = o.app_packets;
    config.max_flows = o.max_flows;
    return config;
}

// Creating the CSV truncates it: it must never be the capture being read.
bool sameFile(const std::string &a, const std::string &b) {
    struct stat sa {
    }, sb{};
    return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

bool selects(const Options &o, Column column) {
    return std::any_of(o.columns.begin(), o.columns.end(),
                       [column](const SelectedColumn &c) { return c.column == column; });
}

}  // namespace

int runOffline(const Options &options) {
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };

    std::unique_ptr<PcapFile> file;
    try {
        file = std::make_unique<PcapFile>(options.file);
    } catch (const CaptureError &e) {
        return fail(kExitRuntimeError, e.what());
    }
    std::unique_ptr<BpfFilter> filter;
    if (options.filter) {
        try {
            filter =
                std::make_unique<BpfFilter>(file->linkType(), file->snapLength(), *options.filter);
        } catch (const FilterError &e) {
            return fail(kExitUsage, e.what());
        }
    }
    if (!isSupportedLinkType(file->linkType()))
        return fail(kExitRuntimeError,
                    options.file + ": unsupported link type " + linkTypeName(file->linkType()));

    if (sameFile(options.file, options.output))
        return fail(kExitUsage, "output " + options.output + " is the input capture itself");

    FlowClassifier classifier(selects(options, Column::SERVER_NAME));
    LabelSpec label;
    if (!options.attack.empty())
        label = LabelSpec{true, options.attack};
    FlowFeatures features(classifier, label);
    std::unique_ptr<CsvWriter> writer;
    try {
        writer = std::make_unique<CsvWriter>(options.output, options.columns, features);
    } catch (const std::runtime_error &e) {
        return fail(kExitRuntimeError, e.what());
    }

    FlowMeter meter(meterConfig(options), classifier, *writer);
    PacketDecoder decoder(file->linkType(), filter.get());
    CaptureCounters counters;
    ProgressBar progress(file->fileSize());
    int exit_code = kExitOk;
    std::string read_error;

    const pcap_pkthdr *header;
    const uint8_t *frame;
    nf_packet pkt;
    std::span<const uint8_t> l3;
    bool limit_reached = false;
    while (!stopRequested() && !limit_reached) {
        PcapFile::Next next = file->next(header, frame);
        if (next == PcapFile::Next::End)
            break;
        if (next == PcapFile::Next::Error) {
            read_error = file->error();
            exit_code = kExitRuntimeError;
            break;
        }
        counters.read++;
        switch (decoder.decode(*header, frame, pkt, l3)) {
            case PacketDecoder::Outcome::Packet: {
                uint64_t time_us = static_cast<uint64_t>(header->ts.tv_sec) * 1000000 +
                                   static_cast<uint64_t>(header->ts.tv_usec);
                if (meter.count(pkt, l3, time_us) == FlowMeter::Verdict::Counted) {
                    counters.counted++;
                } else {
                    counters.after_limit++;
                    limit_reached = true;
                }
                break;
            }
            case PacketDecoder::Outcome::FilteredOut:
                counters.filtered_out++;
                break;
            case PacketDecoder::Outcome::NotIp:
                counters.not_ip++;
                break;
            case PacketDecoder::Outcome::Truncated:
                counters.truncated++;
                break;
            case PacketDecoder::Outcome::Malformed:
                counters.malformed++;
                break;
        }
        progress.update([&] { return file->bytesRead(); }, counters.read, meter.flowsStarted());
        if (options.max_time_s && (counters.read & 0x3FF) == 0 && elapsed() > *options.max_time_s)
            break;
    }
    progress.clear();

    meter.flushAll();
    std::string write_error = writer->finish();
    if (!read_error.empty())
        std::fprintf(stderr, "netflow: error: %s\n", read_error.c_str());
    if (!write_error.empty()) {
        std::fprintf(stderr, "netflow: error: %s\n", write_error.c_str());
        exit_code = kExitRuntimeError;
    }
    std::fprintf(stderr, "%s\n", formatSummary(counters, meter.flowsExported(), elapsed()).c_str());
    return exit_code;
}

}  // namespace netflow

// A capture file, as the offline path reads it: the input is the file
// (pcap or pcapng, any link type its header names), read by PcapFile, each
// record through the link layer, the decoder, the flow engine, nDPI and
// the CSV writer (to /dev/null), wired as FlowPipeline wires them. Every
// record read lands in exactly one counter, and every flow started is
// exported once. The nDPI module is made once for the process (its set-up
// costs more than most inputs); flows, features and output are per input.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "capture/CaptureCounters.h"
#include "capture/LinkLayer.h"
#include "capture/PacketDecoder.h"
#include "capture/PcapFile.h"
#include "cli/Options.h"
#include "dpi/FlowClassifier.h"
#include "features/FlowFeatures.h"
#include "flow/FlowMeter.h"
#include "output/CsvWriter.h"
#include "pipeline/FlowPipeline.h"

namespace {

netflow::Options fuzzOptions(const std::string &path) {
    netflow::Options o;
    o.files = {path};
    o.output = "/dev/null";
    o.version = 3;
    o.columns = netflow::defaultSelection(3, true);
    o.columns.push_back({netflow::Column::L7_PROTO_NAME, "L7_PROTO_NAME"});
    o.columns.push_back({netflow::Column::SERVER_NAME, "SERVER_NAME"});
    o.idle_timeout_s = 5;  // flows expire inside one small capture too
    o.active_timeout_s = 20;
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // The bytes as a file, with a path: PcapFile opens a path.
    const int fd = ::memfd_create("capture", MFD_CLOEXEC);
    if (fd < 0)
        std::abort();
    for (size_t done = 0; done < size;) {
        const ssize_t w = ::write(fd, data + done, size - done);
        if (w <= 0)
            std::abort();
        done += static_cast<size_t>(w);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);

    std::unique_ptr<netflow::PcapFile> file;
    try {
        file = std::make_unique<netflow::PcapFile>(path);
    } catch (const netflow::CaptureError &) {
        ::close(fd);
        return 0;  // not a capture: refused with a reason
    }
    if (netflow::isSupportedLinkType(file->linkType())) {
        static netflow::FlowClassifier classifier(true);
        const netflow::Options options = fuzzOptions(path);
        netflow::FlowFeatures features(classifier, netflow::labelSpec(options));
        netflow::CsvWriter sink(options.output, options.columns, features);
        netflow::FlowMeter meter(netflow::meterConfig(options), classifier, sink);
        netflow::PacketDecoder decoder(file->linkType(), nullptr);
        netflow::CaptureCounters c;
        nf_packet pkt{};
        const pcap_pkthdr *header;
        const uint8_t *frame;
        for (;;) {
            const netflow::Result<netflow::PcapFile::Next> next = file->next(header, frame);
            if (!next || next.value() != netflow::PcapFile::Next::Packet)
                break;
            c.read++;
            std::span<const uint8_t> l3;
            switch (decoder.decode(*header, frame, pkt, l3)) {
                case netflow::PacketDecoder::Outcome::Packet: {
                    const uint64_t time_us = static_cast<uint64_t>(header->ts.tv_sec) * 1000000 +
                                             static_cast<uint64_t>(header->ts.tv_usec);
                    if (meter.count(pkt, l3, time_us) == netflow::FlowMeter::Verdict::Counted)
                        c.counted++;
                    else
                        c.after_limit++;
                    break;
                }
                case netflow::PacketDecoder::Outcome::FilteredOut:
                    c.filtered_out++;
                    break;
                case netflow::PacketDecoder::Outcome::NotIp:
                    c.not_ip++;
                    break;
                case netflow::PacketDecoder::Outcome::Truncated:
                    c.truncated++;
                    break;
                case netflow::PacketDecoder::Outcome::Malformed:
                    c.malformed++;
                    break;
            }
        }
        meter.flushAll();
        if (!sink.finish().ok())
            std::abort();  // /dev/null takes every row
        if (c.read != c.counted + c.notCounted() || c.after_limit != 0 ||
            meter.activeFlows() != 0 || meter.flowsExported() != meter.flowsStarted())
            std::abort();
    }
    file.reset();
    ::close(fd);
    return 0;
}

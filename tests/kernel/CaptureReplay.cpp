#include "CaptureReplay.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <optional>
#include <span>

#include "ProgramTestRun.h"
#include "capture/BpfFilter.h"
#include "capture/PacketDecoder.h"
#include "capture/PcapFile.h"
#include "flow/FlowMeter.h"
#include "kernel/BpfStats.h"
#include "kernel/EventRing.h"

namespace nftest {
namespace {

using netflow::KernelFlow;

constexpr int kSnapLength = 262144;  // for compiling the filter only

class RecordCollector : public netflow::EventHandler {
  public:
    explicit RecordCollector(ReplayResult &out) : out_(out) {}
    void onFlowEnded(const nf_rec_flow_ended &rec) override {
        out_.kernel_flows.push_back(KernelFlow{rec.key, rec.state});
        out_.ended_records++;
    }
    void onUnmappedPacket(const nf_rec_packet &rec) override { out_.unmapped.push_back(rec); }

  private:
    ReplayResult &out_;
};

class FlowCollector : public netflow::FlowExporter {
  public:
    explicit FlowCollector(std::vector<KernelFlow> &out) : out_(out) {}
    void exportFlow(const netflow::FlowRecord &flow) override {
        out_.push_back(KernelFlow{flow.key, flow.state});
    }

  private:
    std::vector<KernelFlow> &out_;
};

void countOutcome(netflow::PacketDecoder::Outcome outcome, netflow::CaptureCounters &c) {
    using Outcome = netflow::PacketDecoder::Outcome;
    c.read++;
    switch (outcome) {
        case Outcome::Packet:
            c.counted++;
            break;
        case Outcome::FilteredOut:
            c.filtered_out++;
            break;
        case Outcome::NotIp:
            c.not_ip++;
            break;
        case Outcome::Truncated:
            c.truncated++;
            break;
        case Outcome::Malformed:
            c.malformed++;
            break;
    }
}

// A map and ring left over from an earlier, failed replay would pollute
// this one.
std::string resetKernelState(netflow::CountingPrograms &programs, ReplayResult &scratch) {
    RecordCollector discard(scratch);
    netflow::EventRing ring(programs.eventsMapFd(), discard);
    auto consumed = ring.consume();
    if (!consumed)
        return consumed.error();
    std::vector<KernelFlow> stale;
    auto drained = netflow::FlowMapReader(programs.flowMapFd()).drain(stale);
    return drained ? "" : drained.error();
}

}  // namespace

std::vector<TimedFrame> readEthernetCapture(const std::string &path, std::string *read_error) {
    netflow::PcapFile file(path);
    if (file.linkType() != DLT_EN10MB)
        throw netflow::CaptureError(path + ": not an Ethernet capture");
    std::vector<TimedFrame> frames;
    const pcap_pkthdr *header;
    const uint8_t *data;
    for (;;) {
        auto next = file.next(header, data);
        if (next == netflow::PcapFile::Next::End)
            return frames;
        if (next == netflow::PcapFile::Next::Error) {
            *read_error = file.error();
            return frames;
        }
        frames.push_back(TimedFrame{*header, std::vector<uint8_t>(data, data + header->caplen)});
    }
}

ReplayResult CaptureReplay::run(const std::string &capture, Hook hook, AtEnd at_end) {
    std::string read_error;
    ReplayResult r = run(readEthernetCapture(capture, &read_error), hook, at_end);
    r.read_error = read_error;
    return r;
}

ReplayResult CaptureReplay::run(const std::vector<TimedFrame> &frames, Hook hook, AtEnd at_end) {
    ReplayResult out;
    ReplayResult discarded;
    if (std::string err = resetKernelState(programs_, discarded); !err.empty()) {
        out.error = err;
        return out;
    }

    netflow::BpfStats stats(programs_.statsMapFd());
    auto before = stats.read();
    if (!before) {
        out.error = before.error();
        return out;
    }

    RecordCollector records(out);
    netflow::EventRing ring(programs_.eventsMapFd(), records);
    FlowCollector exported(out.user_flows);
    netflow::MeterConfig config;
    config.timeouts = programs_.config().timeouts;
    config.budget = {0, 0};  // DPI is not compared: keep nDPI out of it
    netflow::FlowMeter meter(config, classifier_, exported);
    // The kernel's "every IP packet" is the offline path's empty filter.
    out.all_ip = programs_.config().count_all_ip;
    std::optional<netflow::BpfFilter> match_all;
    if (out.all_ip)
        match_all.emplace(DLT_EN10MB, kSnapLength, "");
    netflow::PacketDecoder decoder(DLT_EN10MB, match_all ? &*match_all : nullptr);
    const int prog_fd = hook == Hook::Xdp ? programs_.xdpProgramFd() : programs_.tcProgramFd();

    uint64_t latest_us = 0;  // FlowMeter's clock: the latest counted time
    for (const TimedFrame &f : frames) {
        out.frames.in_capture++;
        std::span<const uint8_t> frame(f.bytes);

        nf_packet pkt;
        std::span<const uint8_t> l3;
        auto outcome = decoder.decode(f.header, f.bytes.data(), pkt, l3);
        const bool counted = outcome == netflow::PacketDecoder::Outcome::Packet;
        const uint64_t ts = static_cast<uint64_t>(f.header.ts.tv_sec) * 1000000 +
                            static_cast<uint64_t>(f.header.ts.tv_usec);
        const uint64_t now = counted ? std::max(latest_us, ts) : latest_us;

        programs_.setTestClock(now);
        TestRunResult r = testRun(prog_fd, frame);
        if (r.err) {
            Rejection why = sizeRejection(hook == Hook::Tc, r.err, frame);
            if (why == Rejection::None) {
                out.error = netflow::errnoMessage("test run of frame " +
                                                      std::to_string(out.frames.in_capture) + " (" +
                                                      std::to_string(frame.size()) + " bytes)",
                                                  r.err);
                return out;
            }
            (why == Rejection::TooShort ? out.frames.too_short : out.frames.too_long)++;
            continue;  // the userspace side skips it too
        }
        out.frames.run++;
        if (hook == Hook::Xdp && frame.size() > kXdpLinearBytes)
            out.frames.beyond_linear++;

        countOutcome(outcome, out.user_counters);
        if (counted) {
            meter.count(pkt, l3, ts);
            latest_us = now;
        }
        // Records are taken as they come, so the ring never fills.
        if (auto n = ring.consume(); !n) {
            out.error = n.error();
            return out;
        }
    }

    if (auto n = ring.consume(); !n) {
        out.error = n.error();
        return out;
    }
    netflow::FlowMapReader reader(programs_.flowMapFd());
    auto remaining = at_end == AtEnd::DrainMap ? reader.drain(out.kernel_flows)
                                               : reader.readAll(out.kernel_flows);
    if (!remaining) {
        out.error = remaining.error();
        return out;
    }
    meter.flushAll();
    out.bad_records = ring.badRecords();

    auto after = stats.read();
    if (!after) {
        out.error = after.error();
        return out;
    }
    for (int i = 0; i < NF_STAT_COUNT; i++)
        out.kernel_stats.counters[i] = after.value().counters[i] - before.value().counters[i];
    return out;
}

}  // namespace nftest

#include "CaptureReplay.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <span>

#include "BpfHelpers.h"
#include "ProgramTestRun.h"
#include "filter/BpfFilter.h"
#include "capture/PacketDecoder.h"
#include "capture/PcapFile.h"
#include "flow/FlowMeter.h"
#include "flow_key.h"
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
    void onPayload(const nf_rec_payload &rec, const nf_packet &pkt,
                   std::span<const uint8_t> l3) override {
        out_.copies.push_back(
            PayloadCopy{frame_, rec, pkt, std::vector<uint8_t>(l3.begin(), l3.end())});
    }
    // The frame whose records come next.
    void setFrame(size_t frame) { frame_ = frame; }

  private:
    ReplayResult &out_;
    size_t frame_ = 0;
};

class HandoffCollector : public HandoffObserver {
  public:
    explicit HandoffCollector(ReplayResult &out) : out_(out) {}
    void onHandoff(const Handoff &handoff) override {
        out_.handoffs.push_back(OfflineHandoff{frame_, handoff});
    }
    void setFrame(size_t frame) { frame_ = frame; }

  private:
    ReplayResult &out_;
    size_t frame_ = 0;
};

// What the kernel delivered for one frame: the flow instance and payload
// number a DPI-done mark needs.
struct Delivery {
    nf_flow_key key;
    uint64_t flow_first_us;
    uint32_t payload_index;
};

std::optional<Delivery> deliveryOf(const ReplayResult &r, size_t frame, const nf_packet &pkt) {
    if (!r.copies.empty() && r.copies.back().frame == frame) {
        const nf_rec_payload &rec = r.copies.back().rec;
        return Delivery{rec.key, rec.flow_first_us, rec.payload_index};
    }
    if (!r.xsk_frames.empty() && r.xsk_frames.back().frame == frame) {
        // An AF_XDP consumer has the frame and its metadata: the key comes
        // from parsing the frame, as here.
        Delivery d{};
        nf_flow_key_from_packet(&pkt, &d.key);
        d.flow_first_us = r.xsk_frames.back().meta.flow_first_us;
        d.payload_index = r.xsk_frames.back().meta.payload_index;
        return d;
    }
    return std::nullopt;
}

// Whether the replay's policy marks the flow of this frame DPI-done now.
bool marksAfter(const ReplayResult &r, size_t frame, const Delivery &d) {
    if (r.dpi_done == DpiDone::AfterPayloadPacket)
        return d.payload_index == r.dpi_done_after;
    if (r.dpi_done != DpiDone::FollowClassifier || r.handoffs.empty() ||
        r.handoffs.back().frame != frame || !r.handoffs.back().handoff.dpi_finished)
        return false;
    // After the last budgeted packet the kernel stops by itself; the live
    // engine marks only flows nDPI finished early.
    return d.payload_index < r.budget.dpi_packets;
}

// The redirected frame of a tap-mode test run: metadata, then the frame.
std::string takeXskFrame(size_t frame, std::span<const uint8_t> given,
                         const std::vector<uint8_t> &data_out, ReplayResult &out) {
    XskFrame x{};
    x.frame = frame;
    if (data_out.size() < sizeof(x.meta))
        return "a redirected frame without room for its metadata";
    std::memcpy(&x.meta, data_out.data(), sizeof(x.meta));
    if (x.meta.magic != NF_XSK_META_MAGIC)
        return "a redirected frame without nf_xsk_meta in front";
    x.bytes.assign(data_out.begin() + sizeof(x.meta), data_out.end());
    x.unchanged = std::equal(x.bytes.begin(), x.bytes.end(), given.begin(), given.end());
    out.xsk_frames.push_back(std::move(x));
    return "";
}

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

}  // namespace

// Maps and rings left over from an earlier replay would pollute this one:
// flows, records, and DPI-done marks nothing consumed.
std::string resetKernelState(netflow::CountingPrograms &programs) {
    ReplayResult scratch;
    RecordCollector discard(scratch);
    netflow::EventRing ring(programs.eventsMapFd(), discard);
    ring.addRing(programs.payloadMapFd());
    auto consumed = ring.consume();
    if (!consumed)
        return consumed.error();
    std::vector<KernelFlow> stale;
    auto drained = netflow::FlowMapReader(programs.flowMapFd()).drain(stale);
    if (!drained)
        return drained.error();
    return clearHashMap(programs.dpiDoneMapFd(), sizeof(nf_flow_key));
}

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

std::string runCaptureThroughXdp(netflow::CountingPrograms &programs, const std::string &path) {
    std::string read_error;
    std::vector<TimedFrame> frames = readEthernetCapture(path, &read_error);
    if (!read_error.empty())
        return path + ": " + read_error;
    uint64_t latest = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        const pcap_pkthdr &h = frames[i].header;
        latest = std::max(latest, static_cast<uint64_t>(h.ts.tv_sec) * 1000000 + h.ts.tv_usec);
        programs.setTestClock(latest);
        int err = testRun(programs.xdpProgramFd(), frames[i].bytes).err;
        if (err != 0)
            return path + ": frame " + std::to_string(i) +
                   ": test run failed: " + std::strerror(-err);
    }
    return "";
}

ReplayResult CaptureReplay::run(const std::string &capture, Hook hook, AtEnd at_end) {
    std::string read_error;
    ReplayResult r = run(readEthernetCapture(capture, &read_error), hook, at_end);
    r.read_error = read_error;
    return r;
}

ReplayResult CaptureReplay::run(const std::vector<TimedFrame> &frames, Hook hook, AtEnd at_end) {
    ReplayResult out;
    if (std::string err = resetKernelState(programs_); !err.empty()) {
        out.error = err;
        return out;
    }

    netflow::BpfStats stats(programs_.statsMapFd());
    auto before = stats.read();
    if (!before) {
        out.error = before.error();
        return out;
    }

    out.budget = programs_.config().budget;
    out.capture_mode = programs_.config().capture_mode;
    out.dpi_done = dpi_done_;
    out.dpi_done_after = dpi_done_after_;
    const bool tap = hook == Hook::Xdp && out.capture_mode == NF_CAPTURE_TAP;

    RecordCollector records(out);
    netflow::EventRing ring(programs_.eventsMapFd(), records);
    ring.addRing(programs_.payloadMapFd());
    FlowCollector exported(out.user_flows);
    netflow::MeterConfig config;
    config.timeouts = programs_.config().timeouts;
    // The classifier (nDPI) runs only where its decisions are compared;
    // otherwise the budget alone says what the kernel delivers.
    const bool classify = dpi_done_ == DpiDone::FollowClassifier;
    config.budget = classify ? out.budget : nf_payload_budget{0, 0};
    netflow::FlowMeter meter(config, classifier_, exported);
    HandoffCollector handoffs(out);
    std::optional<ObserveHandoffs> observing;
    if (classify)
        observing.emplace(handoffs);
    // The kernel's "every IP packet" is the offline path's empty filter.
    // A --filter in the programs is the same filter offline.
    const std::optional<std::string> &user_filter = programs_.config().filter;
    out.all_ip = programs_.config().count_all_ip || user_filter;
    std::optional<netflow::BpfFilter> offline_filter;
    if (out.all_ip)
        offline_filter.emplace(DLT_EN10MB, kSnapLength, user_filter.value_or(""));
    netflow::PacketDecoder decoder(DLT_EN10MB, offline_filter ? &*offline_filter : nullptr);
    const int prog_fd = hook == Hook::Xdp ? programs_.xdpProgramFd() : programs_.tcProgramFd();

    uint64_t latest_us = 0;  // FlowMeter's clock: the latest counted time
    std::vector<uint8_t> data_out;
    out.verdicts.assign(frames.size(), std::nullopt);
    for (size_t i = 0; i < frames.size(); i++) {
        const TimedFrame &f = frames[i];
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
        TestRunResult r = testRun(prog_fd, frame, tap ? &data_out : nullptr);
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
        out.verdicts[i] = r.retval;
        if (hook == Hook::Xdp && frame.size() > kXdpLinearBytes)
            out.frames.beyond_linear++;
        if (tap && r.retval == kXdpRedirect) {
            if (std::string err = takeXskFrame(i, frame, data_out, out); !err.empty()) {
                out.error = "frame " + std::to_string(i) + ": " + err;
                return out;
            }
        }
        // Records are taken as they come, so the rings never fill; this
        // frame's payload record before the offline side sees the frame.
        records.setFrame(i);
        if (auto n = ring.consume(); !n) {
            out.error = n.error();
            return out;
        }

        countOutcome(outcome, out.user_counters);
        if (counted) {
            handoffs.setFrame(i);
            meter.count(pkt, l3, ts);
            latest_us = now;
            // As the live engine: a flow nDPI is done with is marked before
            // the next packet arrives.
            if (auto d = deliveryOf(out, i, pkt); d && marksAfter(out, i, *d)) {
                auto marked = programs_.markDpiDone(d->key, d->flow_first_us);
                if (!marked) {
                    out.error = marked.error();
                    return out;
                }
                out.dpi_done_marks++;
            }
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

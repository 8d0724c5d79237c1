#include "PayloadChecks.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>
#include <utility>

#include "FlowCompare.h"
#include "flow_count.h"
#include "flow_key.h"
#include "payload_budget.h"

namespace nftest {
namespace {

using FlowId = std::pair<std::string, uint64_t>;  // key bytes, first_us

FlowId flowId(const nf_flow_key &key, uint64_t first_us) {
    return {std::string(reinterpret_cast<const char *>(&key), sizeof(key)), first_us};
}

class Lines {
  public:
    explicit Lines(size_t max) : max_(max) {}
    void add(const std::string &line) {
        if (lines_.size() < max_)
            lines_.push_back(line);
    }
    std::vector<std::string> take() { return std::move(lines_); }

  private:
    size_t max_;
    std::vector<std::string> lines_;
};

std::string frameName(size_t frame) {
    return "frame " + std::to_string(frame) + ": ";
}

// The bytes a delivery must carry for a hand-off of `datagram`.
std::vector<uint8_t> expectedCopy(const std::vector<uint8_t> &datagram) {
    const size_t n = std::min<size_t>(datagram.size(), NF_PAYLOAD_COPY_MAX);
    return std::vector<uint8_t>(datagram.begin(), datagram.begin() + n);
}

// The parse of a copy against the offline parse: equal, except that a
// datagram cut at NF_PAYLOAD_COPY_MAX has fewer payload bytes captured.
bool samePacket(nf_packet copy, nf_packet offline, bool cut) {
    if (cut)
        copy.payload_captured = offline.payload_captured;
    return std::memcmp(&copy, &offline, sizeof(copy)) == 0;
}

void compareCopy(const PayloadCopy &c, const Handoff &h, uint32_t dpi_packets, Lines &out) {
    const std::string at = frameName(c.frame) + formatKey(h.key) + ": ";
    if (c.rec.want != h.want)
        out.add(at + "want " + std::to_string(c.rec.want) + ", offline " + std::to_string(h.want));
    if (std::memcmp(&c.rec.key, &h.key, sizeof(h.key)) != 0)
        out.add(at + "copied under " + formatKey(c.rec.key));
    if (c.rec.time_us != h.time_us)
        out.add(at + "time " + std::to_string(c.rec.time_us) + ", offline " +
                std::to_string(h.time_us));
    if (c.rec.datagram_len != h.l3.size())
        out.add(at + "datagram " + std::to_string(c.rec.datagram_len) + " bytes, offline " +
                std::to_string(h.l3.size()));
    if (c.bytes != expectedCopy(h.l3))
        out.add(at + "the copied bytes differ from the capture's (" +
                std::to_string(c.bytes.size()) + " copied)");
    if (!samePacket(c.pkt, h.pkt, c.rec.cap_len < c.rec.datagram_len))
        out.add(at + "the copy parses differently from the capture");
    if ((c.rec.payload_index >= dpi_packets) != h.last_dpi_packet)
        out.add(at + "payload packet " + std::to_string(c.rec.payload_index) +
                (h.last_dpi_packet ? " is not" : " is") + " the last of the DPI budget offline");
}

void compareXskFrame(const XskFrame &x, const Handoff &h, uint32_t dpi_packets, Lines &out) {
    const std::string at = frameName(x.frame) + formatKey(h.key) + ": ";
    if (x.meta.want != h.want)
        out.add(at + "AF_XDP want " + std::to_string(x.meta.want) + ", offline " +
                std::to_string(h.want));
    if (x.meta.time_us != h.time_us)
        out.add(at + "AF_XDP time " + std::to_string(x.meta.time_us) + ", offline " +
                std::to_string(h.time_us));
    if ((x.meta.payload_index >= dpi_packets) != h.last_dpi_packet)
        out.add(at + "AF_XDP payload packet " + std::to_string(x.meta.payload_index) +
                (h.last_dpi_packet ? " is not" : " is") + " the last of the DPI budget offline");
    // The datagram lies in the redirected frame, untouched.
    if (std::search(x.bytes.begin(), x.bytes.end(), h.l3.begin(), h.l3.end()) == x.bytes.end())
        out.add(at + "the redirected frame does not hold the offline datagram");
}

// Per flow instance: the state the kernel ended with.
std::map<FlowId, const nf_flow_state *> kernelFlows(const ReplayResult &r) {
    std::map<FlowId, const nf_flow_state *> flows;
    for (const KernelFlow &f : r.kernel_flows)
        flows[flowId(f.key, f.state.first_us)] = &f.state;
    return flows;
}

// The DPI limit of the budget check: min(dpi_packets, the marked packet).
uint32_t dpiLimit(const ReplayResult &r) {
    if (r.dpi_done == DpiDone::AfterPayloadPacket)
        return std::min(r.budget.dpi_packets, r.dpi_done_after);
    return r.budget.dpi_packets;
}

int wantOf(uint32_t index, uint32_t dpi_limit, bool app_flow, const nf_payload_budget &budget) {
    int want = 0;
    if (index <= dpi_limit)
        want |= NF_WANT_DPI;
    if (app_flow && index <= budget.app_packets)
        want |= NF_WANT_APP;
    return want;
}

uint32_t wantedIn(const nf_flow_key &key, const nf_flow_state &st, uint32_t dpi_limit,
                  const nf_payload_budget &budget) {
    const uint32_t last = std::max(dpi_limit, nf_is_app_flow(&key) ? budget.app_packets : 0);
    return std::min(st.payload_pkts, last);
}

}  // namespace

std::vector<std::string> compareDeliveriesWithHandoffs(const ReplayResult &r, size_t max_lines) {
    Lines out(max_lines);
    // One delivery and one hand-off per frame at most.
    std::map<size_t, const PayloadCopy *> copies;
    std::map<size_t, const XskFrame *> xsk;
    std::map<size_t, const Handoff *> handoffs;
    for (const PayloadCopy &c : r.copies)
        if (!copies.emplace(c.frame, &c).second)
            out.add(frameName(c.frame) + "two payload records");
    for (const XskFrame &x : r.xsk_frames)
        xsk.emplace(x.frame, &x);
    for (const OfflineHandoff &h : r.handoffs)
        if (!handoffs.emplace(h.frame, &h.handoff).second)
            out.add(frameName(h.frame) + "handed over twice offline");

    for (size_t frame = 0; frame < r.verdicts.size(); frame++) {
        auto c = copies.find(frame);
        auto x = xsk.find(frame);
        auto h = handoffs.find(frame);
        const bool delivered = c != copies.end() || x != xsk.end();
        if (c != copies.end() && x != xsk.end())
            out.add(frameName(frame) + "both copied and redirected");
        if (h == handoffs.end()) {
            if (delivered)
                out.add(frameName(frame) + "delivered, but the offline path handed nothing over");
            continue;
        }
        if (!delivered) {
            out.add(frameName(frame) + formatKey(h->second->key) + ": handed over offline (want " +
                    std::to_string(h->second->want) + "), not delivered by the kernel");
            continue;
        }
        if (c != copies.end())
            compareCopy(*c->second, *h->second, r.budget.dpi_packets, out);
        else
            compareXskFrame(*x->second, *h->second, r.budget.dpi_packets, out);
    }
    return out.take();
}

std::vector<std::string> checkCopiesPerFlow(const ReplayResult &r, size_t max_lines) {
    Lines out(max_lines);
    const auto flows = kernelFlows(r);
    std::map<FlowId, uint32_t> seen;  // the last payload number per flow
    for (const PayloadCopy &c : r.copies) {
        const std::string at = frameName(c.frame) + formatKey(c.rec.key) + ": ";
        auto f = flows.find(flowId(c.rec.key, c.rec.flow_first_us));
        if (f == flows.end()) {
            out.add(at + "no counted flow started at " + std::to_string(c.rec.flow_first_us));
            continue;
        }
        const nf_flow_state &st = *f->second;
        uint32_t &last = seen[f->first];
        if (c.rec.payload_index != last + 1)
            out.add(at + "payload packet " + std::to_string(c.rec.payload_index) + " after " +
                    std::to_string(last));
        last = c.rec.payload_index;
        if (c.rec.payload_index > st.payload_pkts)
            out.add(at + "payload packet " + std::to_string(c.rec.payload_index) + " of " +
                    std::to_string(st.payload_pkts));
        nf_flow_key key;
        const int from_lo = nf_flow_key_from_packet(&c.pkt, &key);
        if (c.rec.dir != nf_packet_dir(&st, from_lo))
            out.add(at + "direction " + std::to_string(c.rec.dir) + " is not the packet's");
        if (c.rec.time_us < st.first_us || c.rec.time_us > st.last_us)
            out.add(at + "time " + std::to_string(c.rec.time_us) + " outside the flow");
    }
    return out.take();
}

std::vector<std::string> checkCopiesAgainstBudget(const ReplayResult &r, size_t max_lines) {
    Lines out(max_lines);
    const uint32_t dpi_limit = dpiLimit(r);
    std::map<FlowId, std::vector<const PayloadCopy *>> by_flow;
    for (const PayloadCopy &c : r.copies)
        by_flow[flowId(c.rec.key, c.rec.flow_first_us)].push_back(&c);

    for (const KernelFlow &f : r.kernel_flows) {
        const FlowId id = flowId(f.key, f.state.first_us);
        const uint32_t expected = wantedIn(f.key, f.state, dpi_limit, r.budget);
        auto it = by_flow.find(id);
        const size_t got = it == by_flow.end() ? 0 : it->second.size();
        if (got != expected) {
            out.add(formatKey(f.key) + " first_us " + std::to_string(f.state.first_us) + ": " +
                    std::to_string(got) + " payload records, the budget wants " +
                    std::to_string(expected) + " of " + std::to_string(f.state.payload_pkts));
            continue;
        }
        for (size_t i = 0; i < got; i++) {
            const nf_rec_payload &rec = it->second[i]->rec;
            const int want = wantOf(rec.payload_index, dpi_limit, nf_is_app_flow(&f.key), r.budget);
            if (rec.payload_index != i + 1 || rec.want != want)
                out.add(frameName(it->second[i]->frame) + formatKey(f.key) + ": payload packet " +
                        std::to_string(rec.payload_index) + " want " + std::to_string(rec.want) +
                        ", the budget says packet " + std::to_string(i + 1) + " want " +
                        std::to_string(want));
        }
    }
    return out.take();
}

uint64_t wantedByBudget(const ReplayResult &r) {
    const uint32_t dpi_limit = dpiLimit(r);
    uint64_t n = 0;
    for (const KernelFlow &f : r.kernel_flows)
        n += wantedIn(f.key, f.state, dpi_limit, r.budget);
    return n;
}

}  // namespace nftest

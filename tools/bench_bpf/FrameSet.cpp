#include "FrameSet.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include "flow_key.h"
#include "packet_parse.h"

namespace nfbench {
namespace {

// BPF_PROG_TEST_RUN's limits for XDP (tests/kernel/ProgramTestRun.h): an
// Ethernet header at least, and the linear part of a page at most.
constexpr size_t kMinFrame = 14;
constexpr size_t kMaxFrame = 3520;

struct PcapCloser {
    void operator()(pcap_t *p) const { pcap_close(p); }
};

// The frame's canonical flow key as netflow's XDP program builds it, when
// the frame reaches the flow map (default filter); false otherwise.
bool countedKey(std::span<const uint8_t> frame, nf_flow_key &key, nf_packet &pkt) {
    const uint8_t *l3;
    pkt = {};
    if (nf_parse_frame(frame.data(), frame.data() + frame.size(), &l3, &pkt) != NF_PARSE_OK ||
        !nf_default_filter_pass(&pkt))
        return false;
    key = {};
    nf_flow_key_from_packet(&pkt, &key);
    return true;
}

std::string keyBytes(const nf_flow_key &key) {
    static_assert(sizeof(nf_flow_key) == 40, "no padding: every byte is a key byte");
    return std::string(reinterpret_cast<const char *>(&key), sizeof(key));
}

std::vector<std::span<const uint8_t>> spans(const std::vector<Frame> &frames) {
    return {frames.begin(), frames.end()};
}

}  // namespace

std::vector<std::span<const uint8_t>> FrameSet::mix(size_t n) const {
    std::vector<std::span<const uint8_t>> out;
    if (in_order.empty() || n == 0)
        return out;
    n = std::min(n, in_order.size());
    for (size_t i = 0; i < n; i++)
        out.emplace_back(in_order[i * in_order.size() / n]);
    return out;
}

std::vector<std::span<const uint8_t>> FrameSet::inOrder() const {
    return spans(in_order);
}

std::vector<std::span<const uint8_t>> FrameSet::newFlows() const {
    return spans(new_flows);
}

FrameSet readFrameSet(const std::vector<std::string> &captures, const FrameSetOptions &options) {
    FrameSet set;
    std::unordered_set<std::string> seen_flows;
    for (const std::string &path : captures) {
        if (set.in_order.size() >= options.in_order && set.new_flows.size() >= options.new_flows)
            break;
        char errbuf[PCAP_ERRBUF_SIZE] = "";
        std::unique_ptr<pcap_t, PcapCloser> pcap(pcap_open_offline(path.c_str(), errbuf));
        if (!pcap) {
            // libpcap names the file in some messages only.
            std::string msg = errbuf;
            throw std::runtime_error(msg.starts_with(path) ? msg : path + ": " + msg);
        }
        if (pcap_datalink(pcap.get()) != DLT_EN10MB) {
            set.notes.push_back(path + ": not Ethernet, skipped");
            continue;
        }
        pcap_pkthdr *header;
        const u_char *data;
        int rc;
        while ((rc = pcap_next_ex(pcap.get(), &header, &data)) == 1) {
            set.read++;
            if (header->caplen < kMinFrame || header->caplen > kMaxFrame) {
                set.skipped++;
                continue;
            }
            std::span<const uint8_t> frame(data, header->caplen);
            if (set.in_order.size() < options.in_order)
                set.in_order.emplace_back(frame.begin(), frame.end());
            nf_flow_key key;
            nf_packet pkt;
            if (set.new_flows.size() < options.new_flows && countedKey(frame, key, pkt) &&
                seen_flows.insert(keyBytes(key)).second)
                set.new_flows.emplace_back(frame.begin(), frame.end());
            if (set.in_order.size() >= options.in_order &&
                set.new_flows.size() >= options.new_flows)
                break;
        }
        if (rc == PCAP_ERROR)
            set.notes.push_back(path + ": stopped at a damaged record: " + pcap_geterr(pcap.get()));
    }
    return set;
}

FrameStats describe(std::span<const std::span<const uint8_t>> frames) {
    FrameStats s;
    std::unordered_set<std::string> flows;
    double bytes = 0;
    for (std::span<const uint8_t> frame : frames) {
        s.frames++;
        bytes += static_cast<double>(frame.size());
        nf_flow_key key;
        nf_packet pkt;
        if (!countedKey(frame, key, pkt))
            continue;
        s.counted++;
        if (pkt.payload_len > 0)
            s.payload++;
        flows.insert(keyBytes(key));
    }
    s.flows = flows.size();
    s.mean_bytes = s.frames ? bytes / static_cast<double>(s.frames) : 0;
    return s;
}

}  // namespace nfbench

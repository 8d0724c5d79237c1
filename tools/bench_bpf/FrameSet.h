// The packets bpf_cost feeds the programs, read from Ethernet captures and
// sorted with the counting core (bpf/core/packet_parse.h, flow_key.h) into the
// three sets of its scenarios.
//
// libpcap stays in the .cpp: its <pcap/bpf.h> and libbpf's <linux/bpf.h>
// cannot be included together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nfbench {

using Frame = std::vector<uint8_t>;

struct FrameSetOptions {
    size_t in_order = 200000;  // frames kept in capture order
    size_t mix = 2000;         // of those, evenly spaced: the warm mix
    size_t new_flows = 60000;  // first frames of distinct flows, at most
};

// What netflow's parser and default filter make of a set of frames.
struct FrameStats {
    size_t frames = 0;
    size_t counted = 0;  // pass the default filter (IPv4 TCP/UDP/ICMP): reach the flow map
    size_t payload = 0;  // counted, with L4 payload (the DPI budget may copy them)
    size_t flows = 0;    // distinct canonical flow keys among the counted frames
    double mean_bytes = 0;
};

struct FrameSet {
    std::vector<Frame> in_order;   // the first frames of the captures, in order
    std::vector<Frame> new_flows;  // the first frame of each flow, in order
    size_t read = 0;               // frames read from the captures
    size_t skipped = 0;            // outside the sizes a test run takes
    std::vector<std::string> notes;

    // Evenly spaced frames of in_order.
    std::vector<std::span<const uint8_t>> mix(size_t n) const;
    std::vector<std::span<const uint8_t>> inOrder() const;
    std::vector<std::span<const uint8_t>> newFlows() const;
};

// Reads frames until `in_order` are kept and, for new_flows, to the end of
// the captures. Throws std::runtime_error when a capture cannot be read.
FrameSet readFrameSet(const std::vector<std::string> &captures, const FrameSetOptions &options);

FrameStats describe(std::span<const std::span<const uint8_t>> frames);

}  // namespace nfbench

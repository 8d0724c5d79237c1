// The template of xdp_replay: the IPv4 frames of a capture, with where
// their addresses and checksums are. Kept apart from the BPF code: libpcap's
// <pcap/bpf.h> and the kernel's <linux/bpf.h> cannot share a file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct Frame {
    std::vector<uint8_t> bytes;
    uint32_t ip_off = 0;
    uint32_t l4_csum_off = 0;  // 0: no checksum to update
    bool udp = false;
    uint32_t saddr = 0;  // network order
    uint32_t daddr = 0;
};

struct SkippedFrames {
    uint64_t not_ipv4 = 0;
    uint64_t truncated = 0;
    uint64_t too_long = 0;
};

// Reads CAPTURE (pcap or pcapng, Ethernet): complete IPv4 frames of at most
// max_len bytes into frames, the rest counted in skipped. Returns an error
// message, empty on success (also an error: no frame to replay).
std::string loadTemplate(const std::string &capture, uint32_t max_len, std::vector<Frame> &frames,
                         SkippedFrames &skipped);

// Writes an Ethernet pcap of many small synthetic TCP flows, for scale tests
// of the flow table: how memory grows with concurrent flows, and that it
// does not grow with the total number of flows when flows expire.
//
//   gen_synthetic_flows OUT.pcap FLOWS CONCURRENT
//
// Flows start in waves of CONCURRENT; each flow is a SYN from the client and
// one data packet (an HTTP request, so nDPI allocates state for it) 1 ms
// apart. Waves are 60 s apart, so with the default 30 s idle timeout every
// wave has expired before the next one starts. CONCURRENT == FLOWS keeps
// every flow open until the end of the capture.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

void put16(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t *p, uint32_t v) {
    put16(p, static_cast<uint16_t>(v >> 16));
    put16(p + 2, static_cast<uint16_t>(v));
}

uint16_t ipChecksum(const uint8_t *hdr) {
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += static_cast<uint32_t>(hdr[i] << 8 | hdr[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// One client->server TCP packet of flow `flow` (client address and port
// derived from it), with flags and payload.
std::vector<uint8_t> tcpPacket(uint32_t flow, uint8_t flags, const std::string &payload) {
    std::vector<uint8_t> frame(14 + 20 + 20 + payload.size());
    uint8_t *eth = frame.data();
    const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    std::memcpy(eth, macs, 12);
    put16(eth + 12, 0x0800);

    uint8_t *ip = eth + 14;
    ip[0] = 0x45;
    put16(ip + 2, static_cast<uint16_t>(40 + payload.size()));
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, 0x0A000000u | (flow >> 14));  // 10.x.y.z: 16,384 ports each
    put32(ip + 16, 0xC0A80001u);                 // 192.168.0.1
    put16(ip + 10, ipChecksum(ip));

    uint8_t *tcp = ip + 20;
    put16(tcp, static_cast<uint16_t>(1024 + (flow & 0x3FFF)));
    put16(tcp + 2, 80);
    put32(tcp + 4, 1000 + (flags & 0x02 ? 0 : 1));
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 64240);
    std::memcpy(tcp + 20, payload.data(), payload.size());
    return frame;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s OUT.pcap FLOWS CONCURRENT\n", argv[0]);
        return 2;
    }
    const uint64_t flows = std::strtoull(argv[2], nullptr, 10);
    const uint64_t concurrent = std::strtoull(argv[3], nullptr, 10);
    if (flows == 0 || concurrent == 0 || flows > (1u << 30)) {
        std::fprintf(stderr, "FLOWS and CONCURRENT must be positive (FLOWS < 2^30)\n");
        return 2;
    }

    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *out = pcap_dump_open(dead, argv[1]);
    if (!out) {
        std::fprintf(stderr, "%s\n", pcap_geterr(dead));
        return 1;
    }
    const std::string request = "GET / HTTP/1.1\r\nHost: scale.test\r\n\r\n";
    uint64_t packets = 0;
    auto write = [&](const std::vector<uint8_t> &frame, uint64_t time_us) {
        pcap_pkthdr hdr{};
        hdr.ts.tv_sec = static_cast<time_t>(1'700'000'000 + time_us / 1'000'000);
        hdr.ts.tv_usec = static_cast<suseconds_t>(time_us % 1'000'000);
        hdr.caplen = hdr.len = static_cast<bpf_u_int32>(frame.size());
        pcap_dump(reinterpret_cast<u_char *>(out), &hdr, frame.data());
        packets++;
    };

    for (uint64_t wave_start = 0; wave_start < flows; wave_start += concurrent) {
        uint64_t wave_end = std::min(flows, wave_start + concurrent);
        uint64_t base_us = (wave_start / concurrent) * 60'000'000;
        // All SYNs of the wave, then all requests: every flow of the wave
        // is open at the same time.
        for (uint64_t f = wave_start; f < wave_end; f++)
            write(tcpPacket(static_cast<uint32_t>(f), 0x02, ""), base_us + (f - wave_start));
        for (uint64_t f = wave_start; f < wave_end; f++)
            write(tcpPacket(static_cast<uint32_t>(f), 0x18, request),
                  base_us + 1000 + concurrent + (f - wave_start));
    }
    pcap_dump_close(out);
    pcap_close(dead);
    std::fprintf(stderr, "gen_synthetic_flows: %llu packets, %llu flows\n",
                 static_cast<unsigned long long>(packets), static_cast<unsigned long long>(flows));
    return 0;
}

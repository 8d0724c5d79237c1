// The translated filter against libpcap itself: for every expression below
// and every frame of the corpus's Ethernet captures, the probe programs
// (XDP and TC, the filter spliced in as the sensor splices it) accept
// exactly the frames pcap_offline_filter accepts. A mismatch names the
// expression, the hook, the capture and the frame's index in it.
//
// Each frame is given to both as the kernel receives it: its captured
// bytes are the whole frame (a frame cut by the capture's snap length is
// judged on what was captured, with `len` its captured length).
#include <gtest/gtest.h>
#include <pcap/dlt.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "FilterProbe.h"
#include "KernelTestEnv.h"
#include "ProgramTestRun.h"
#include "filter/BpfFilter.h"
#include "capture/PcapFile.h"
#include "filter/CbpfProgram.h"
#include "filter/CbpfToEbpf.h"

namespace nftest {
namespace {

using netflow::EbpfInsn;
using netflow::FilterHook;

// Hosts, nets, ports, port ranges, protocols, VLAN, IPv6, byte offsets
// and flags, arithmetic (division by a value that can be 0, shifts by X),
// lengths, and/or/not, broadcast and multicast.
const char *const kExpressions[] = {
    "",
    "ip",
    "ip6",
    "arp",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "ip and (tcp or udp or icmp)",
    "tcp port 443",
    "udp port 53",
    "port 80",
    "tcp dst port 80",
    "udp src port 53",
    "portrange 1-1024",
    "tcp portrange 8000-9000",
    "udp portrange 5000-65535",
    "host 192.168.1.1",
    "src host 10.0.0.1 or dst host 8.8.8.8",
    "net 192.168.0.0/16",
    "tcp port 443 and not net 10.0.0.0/8",
    "src net 172.16.0.0/12 or dst net 10.0.0.0/8",
    "ip6 and tcp",
    "ip6 net 2001:db8::/32 or ip6 dst net fe80::/10",
    "ip6 and tcp port 443",
    "icmp6 and ip6[40] == 135",
    "vlan",
    "vlan and tcp",
    "vlan 100",
    "vlan and ip and udp port 53",
    "mpls",
    "pppoes and ip",
    "tcp[tcpflags] & tcp-syn != 0",
    "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
    "tcp[13] & 0x07 != 0",
    "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
    "ip[8] < 64",
    "ip[6:2] & 0x1fff != 0",
    "ip[0] & 0xf > 5",
    "udp[8:2] > 0x1000",
    "icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply",
    "ether[12:2] == 0x0800",
    "ip[2:2] / (ip[8] & 1) > 0",
    "ip[2:2] % 7 == 0 and ip[2:2] * 3 > 1000",
    "ip[2:2] << (ip[8] & 7) > 4000",
    "ip[2:2] - 20 > 1400 or ip[2:2] ^ 0xff < 16",
    "len > 1000",
    "len <= 64",
    "greater 500 and less 1200",
    "broadcast",
    "multicast",
    "ether broadcast or ip multicast",
    "ip6 multicast",
    "not tcp and not udp",
    "(tcp or udp) and (port 53 or port 443 or port 80)",
    "ip proto 47 or proto 50",
    "tcp and tcp[tcpflags] & tcp-push != 0 and len > 100",
};

struct CorpusFrame {
    size_t file;   // index into Corpus::files
    size_t index;  // 0-based, in the capture
    std::vector<uint8_t> bytes;
};

struct Corpus {
    std::vector<std::string> files;
    std::vector<CorpusFrame> frames;
};

const Corpus &corpus() {
    static const Corpus c = [] {
        Corpus out;
        size_t others = 0;
        out.files = corpusEthernetCaptures(&others);
        for (size_t f = 0; f < out.files.size(); ++f) {
            netflow::PcapFile file(out.files[f]);
            const pcap_pkthdr *header;
            const uint8_t *data;
            for (size_t i = 0; file.next(header, data) == netflow::PcapFile::Next::Packet; ++i)
                out.frames.push_back(CorpusFrame{f, i, {data, data + header->caplen}});
        }
        return out;
    }();
    return c;
}

struct Outcome {
    size_t compared = 0;
    size_t accepted = 0;  // by libpcap
    size_t skipped = 0;   // outside the kernel's test-run limits (ProgramTestRun.h)
    size_t mismatches = 0;
    std::string examples;  // the first few mismatches, one per line
};

// Every corpus frame through libpcap's filter and through the probe.
Outcome compare(const std::string &expression, const FilterProbe &probe) {
    const netflow::BpfFilter oracle(DLT_EN10MB, netflow::kKernelFilterSnapLength, expression);
    const Corpus &c = corpus();
    Outcome out;
    for (const CorpusFrame &frame : c.frames) {
        pcap_pkthdr header{};
        header.caplen = header.len = static_cast<uint32_t>(frame.bytes.size());
        const bool expected = oracle.matches(header, frame.bytes.data());
        for (const bool tc : {false, true}) {
            // XDP test runs need an Ethernet header; longer frames than
            // its linear part get fragments, read through the helper.
            if (!tc && frame.bytes.size() < kEthHlen) {
                ++out.skipped;
                continue;
            }
            const TestRunResult r = testRun(tc ? probe.tcFd() : probe.xdpFd(), frame.bytes);
            if (r.err) {
                if (sizeRejection(tc, r.err, frame.bytes) != Rejection::None) {
                    ++out.skipped;
                    continue;
                }
                ADD_FAILURE() << "test run failed (" << r.err << ") on " << c.files[frame.file]
                              << " #" << frame.index;
                continue;
            }
            ++out.compared;
            out.accepted += expected;
            if ((r.retval != 0) == expected)
                continue;
            if (++out.mismatches <= 5)
                out.examples += std::string("  ") + (tc ? "TC" : "XDP") + " " +
                                (expected ? "rejects" : "accepts") + " " +
                                std::filesystem::path(c.files[frame.file]).filename().string() +
                                " #" + std::to_string(frame.index) + " (libpcap " +
                                (expected ? "accepts" : "rejects") + ")\n";
        }
    }
    return out;
}

TEST(FilterDifferential, KernelAcceptsExactlyWhatLibpcapAccepts) {
    NF_REQUIRE_ROOT();
    ASSERT_FALSE(corpus().frames.empty()) << "no Ethernet frames in the corpus";
    std::printf("corpus: %zu frames in %zu Ethernet captures\n", corpus().frames.size(),
                corpus().files.size());
    size_t both_outcomes = 0;
    for (const char *expression : kExpressions) {
        const auto cbpf = netflow::compileCbpf(expression);
        const FilterProbe probe(cbpf);
        const Outcome o = compare(expression, probe);
        std::printf("%-60s %7zu compared, %7zu accepted, %zu skipped\n",
                    ("'" + std::string(expression) + "'").c_str(), o.compared, o.accepted,
                    o.skipped);
        EXPECT_EQ(o.mismatches, 0u) << "filter '" << expression << "': " << o.mismatches
                                    << " frames judged otherwise than libpcap, e.g.\n"
                                    << o.examples;
        both_outcomes += o.accepted > 0 && o.accepted < o.compared;
    }
    // A list that accepts everything or nothing would prove little.
    EXPECT_GE(both_outcomes, 40u);
}

// The comparison finds a wrong translation: the port of "udp port 53"
// changed in the eBPF (53 -> 54) must show as mismatches.
TEST(FilterDifferential, AWrongTranslationIsCaught) {
    NF_REQUIRE_ROOT();
    const std::string expression = "udp port 53";
    const auto cbpf = netflow::compileCbpf(expression);
    auto wrong = [&](FilterHook hook) {
        std::vector<EbpfInsn> insns = netflow::translateCbpf(cbpf, hook);
        size_t changed = 0;
        for (EbpfInsn &in : insns) {
            if ((in.code & 0x07) == 0x06 /* BPF_JMP32 */ && in.imm == 53) {
                in.imm = 54;
                ++changed;
            }
        }
        EXPECT_GT(changed, 0u) << "no comparison with 53 in the translation";
        return insns;
    };
    const FilterProbe probe(wrong(FilterHook::Xdp), wrong(FilterHook::Tc));
    const Outcome o = compare(expression, probe);
    EXPECT_GT(o.accepted, 0u);
    EXPECT_GT(o.mismatches, 0u) << "a translation comparing with port 54 went unnoticed";
}

}  // namespace
}  // namespace nftest

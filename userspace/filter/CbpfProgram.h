// A tcpdump expression compiled by libpcap to classic BPF, for the frames
// the kernel programs see (Ethernet), as plain instructions.
//
// libpcap's <pcap/bpf.h> and the kernel's <linux/bpf.h> cannot be included
// together (both define struct bpf_insn), so the instructions cross from
// the one to the other in this header's CbpfInsn, which has the layout of
// both libpcap's bpf_insn and the kernel's sock_filter (checked in the .cpp
// files).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace netflow {

struct CbpfInsn {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
};

// What the kernel programs see: Ethernet frames, whole (a snap length
// larger than any frame, so no `ret` truncates).
inline constexpr int kKernelFilterLinkType = 1;  // DLT_EN10MB
inline constexpr int kKernelFilterSnapLength = 262144;

// libpcap's compilation of `expression` (optimized, as tcpdump and the
// offline path compile it; BpfFilter). An empty expression is libpcap's
// accept-all program. Throws FilterError (filter/FilterError.h) with
// libpcap's reason.
std::vector<CbpfInsn> compileCbpf(const std::string &expression,
                                  int link_type = kKernelFilterLinkType,
                                  int snaplen = kKernelFilterSnapLength);

}  // namespace netflow

// Classic BPF (libpcap's compilation of a tcpdump filter) translated to
// eBPF, as the body of the kernel programs' filter function
// (bpf/netflow_filter.h): `int f(ctx)`, non-zero to accept the frame.
//
// The classic machine's semantics are kept exactly, as libpcap's
// interpreter (pcap_offline_filter) runs them: 32-bit A and X, both 0 at
// the start, the scratch memory M[16], loads in network byte order, a load
// that does not fit in the frame rejects it, division or modulo by zero
// rejects it, unsigned comparisons, `ret k` accepts when k is non-zero.
// The kernel does the same translation for socket filters
// (net/core/filter.c, bpf_convert_filter), with its own skb helpers; here
// every load is bounds-checked against data_end in the program itself, so
// the verifier accepts it in an XDP or TC program. A load inside the
// linear part [data, data_end) reads it directly; beyond it, it goes
// through bpf_skb_load_bytes / bpf_xdp_load_bytes, so the frame is the
// whole skb or XDP buffer, fragments included. `len` is skb->len at TC,
// bpf_xdp_get_buff_len at XDP (data_end - data for a single-buffer frame).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "filter/CbpfProgram.h"

namespace netflow {

enum class FilterHook { Xdp, Tc };

// One eBPF instruction with the layout of the kernel's struct bpf_insn
// (which cannot be included next to libpcap's headers; the .cpp checks the
// layout).
struct EbpfInsn {
    uint8_t code;
    uint8_t regs;  // dst_reg in the low nibble, src_reg in the high one
    int16_t off;
    int32_t imm;
};

// Throws FilterError for a program libpcap would not produce (a jump out
// of the program, an unknown opcode, M[k] with k >= 16, no final return).
std::vector<EbpfInsn> translateCbpf(std::span<const CbpfInsn> cbpf, FilterHook hook);

}  // namespace netflow

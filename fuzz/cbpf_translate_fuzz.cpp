// The classic-to-eBPF translator on random classic programs (root: it
// loads them). Input: byte 0 picks the mode and byte 1 the length (1..64
// instructions), then 8 bytes an instruction, then frames (a length byte,
// then that many bytes, up to the end).
//
// Valid mode (CbpfGenerator.h: what libpcap's bpf_validate accepts): both
// hooks' translations must load into the probe programs exactly as the
// sensor splices them, or be refused with a reason (FilterError,
// KernelError); when they load, every frame must get libpcap's verdict
// (bpf_filter) through BPF_PROG_TEST_RUN at XDP and at TC.
// Raw mode: the bytes as they are; the translator refuses them with a
// reason or translates them, and a program that is valid after all goes
// through the same comparison.
#include <pcap/pcap.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "CbpfGenerator.h"
#include "FilterProbe.h"
#include "ProgramTestRun.h"
#include "filter/CbpfToEbpf.h"
#include "filter/FilterError.h"
#include "kernel/KernelError.h"

namespace {

using netflow::CbpfInsn;

// Frames every program is tried on, next to the input's own.
std::vector<std::vector<uint8_t>> builtinFrames() {
    // Ethernet + IPv4 + TCP (SYN), 10.0.0.1:40000 -> 10.0.0.2:80, 4 payload bytes.
    std::vector<uint8_t> tcp4 = {0x02, 0,    0,    0,    0,  2, 0x02, 0, 0,   0,   0,   1,
                                 0x08, 0x00,  // Ethernet
                                 0x45, 0,    0,    44,   0,  1, 0x40, 0, 64,  6,   0,   0,
                                 10,   0,    0,    1,    10, 0, 0,    2,  // IPv4
                                 0x9c, 0x40, 0,    80,   0,  0, 0,    1, 0,   0,   0,   0,
                                 0x50, 0x02, 0xff, 0xff, 0,  0, 0,    0, 'G', 'E', 'T', ' '};
    // Ethernet + IPv6 + UDP, port 53, 8 payload bytes.
    std::vector<uint8_t> udp6 = {0x02, 0,    0,    0,    0, 2, 0x02, 0, 0,  0,  0,
                                 1,    0x86, 0xdd, 0x60, 0, 0, 0,    0, 16, 17, 64};
    for (int addr = 0; addr < 2; ++addr)
        for (int i = 0; i < 16; ++i)
            udp6.push_back(i == 0 ? 0xfd : static_cast<uint8_t>(i == 15 ? addr + 1 : 0));
    for (uint8_t b : {0xc3, 0x50, 0, 53, 0, 16, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
        udp6.push_back(b);
    // ARP, and an Ethernet header alone.
    std::vector<uint8_t> arp = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0,
                                1,    0x08, 0x06, 0,    1,    8,    0,    6, 4, 0, 1};
    arp.resize(60, 0);
    std::vector<uint8_t> bare = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
    return {tcp4, udp6, arp, bare};
}

void printProgram(std::span<const CbpfInsn> program) {
    for (const CbpfInsn &c : program)
        std::fprintf(stderr, "  { 0x%02x, %u, %u, 0x%08x },\n", c.code, c.jt, c.jf, c.k);
}

// Prints a refusal's reason and program the first time it is seen (a few).
void noteRefusal(const std::string &why, std::span<const CbpfInsn> program) {
    static std::set<std::string> seen;
    if (seen.size() < 8 && seen.insert(why).second) {
        std::fprintf(stderr, "cbpf_translate_fuzz: refused with a reason: %s\n", why.c_str());
        printProgram(program);
    }
}

void compareWithLibpcap(std::span<const CbpfInsn> program,
                        const std::vector<std::vector<uint8_t>> &frames) {
    std::unique_ptr<nftest::FilterProbe> probe;
    try {
        probe = std::make_unique<nftest::FilterProbe>(program);
    } catch (const netflow::FilterError &e) {
        if (std::string(e.what()).empty())
            std::abort();
        noteRefusal(e.what(), program);
        return;
    } catch (const netflow::KernelError &e) {
        if (std::string(e.what()).empty())
            std::abort();
        noteRefusal(e.what(), program);
        return;
    }
    const auto *insns = reinterpret_cast<const bpf_insn *>(program.data());
    for (const std::vector<uint8_t> &frame : frames) {
        const auto len = static_cast<u_int>(frame.size());
        const bool expected = bpf_filter(insns, frame.data(), len, len) != 0;
        for (const bool tc : {false, true}) {
            if (!tc && frame.size() < nftest::kEthHlen)
                continue;
            const nftest::TestRunResult r =
                nftest::testRun(tc ? probe->tcFd() : probe->xdpFd(), frame);
            if (r.err) {
                if (nftest::sizeRejection(tc, r.err, frame) != nftest::Rejection::None)
                    continue;
                std::fprintf(stderr, "cbpf_translate_fuzz: test run failed (%d)\n", r.err);
                std::abort();
            }
            if ((r.retval != 0) != expected) {
                std::fprintf(stderr,
                             "cbpf_translate_fuzz: %s %s a %zu-byte frame that libpcap %s\n",
                             tc ? "TC" : "XDP", r.retval ? "accepts" : "rejects", frame.size(),
                             expected ? "accepts" : "rejects");
                printProgram(program);
                std::abort();
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    if (::geteuid() != 0) {
        std::fprintf(stderr, "cbpf_translate_fuzz: needs root (it loads BPF programs)\n");
        std::exit(1);
    }
    // The probe must load with libpcap's accept-all program, or nothing
    // below means anything.
    const std::vector<CbpfInsn> accept_all = {{BPF_RET | BPF_K, 0, 0, 262144}};
    try {
        nftest::FilterProbe probe(accept_all);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "cbpf_translate_fuzz: the probe does not load: %s\n", e.what());
        std::exit(1);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    const bool raw = data[0] & 0x80;
    const size_t count = 1 + data[1] % 64;
    const std::span<const uint8_t> rest(data + 2, size - 2);
    const std::span<const uint8_t> insn_bytes = rest.first(std::min(rest.size(), count * 8));

    std::vector<std::vector<uint8_t>> frames = builtinFrames();
    for (size_t at = insn_bytes.size(); at < rest.size();) {
        const size_t len = std::min<size_t>(rest[at], rest.size() - at - 1);
        frames.emplace_back(rest.begin() + static_cast<std::ptrdiff_t>(at + 1),
                            rest.begin() + static_cast<std::ptrdiff_t>(at + 1 + len));
        at += 1 + len;
    }

    if (!raw) {
        const std::vector<CbpfInsn> program = nffuzz::validProgramFrom(insn_bytes, count);
        if (!nffuzz::validCbpf(program))
            std::abort();  // the generator's own promise
        compareWithLibpcap(program, frames);
        return 0;
    }
    const std::vector<CbpfInsn> program = nffuzz::rawProgramFrom(insn_bytes, count);
    for (const netflow::FilterHook hook : {netflow::FilterHook::Xdp, netflow::FilterHook::Tc}) {
        try {
            netflow::translateCbpf(program, hook);
        } catch (const netflow::FilterError &e) {
            if (std::string(e.what()).empty())
                std::abort();
            return 0;
        }
    }
    if (nffuzz::validCbpf(program))
        compareWithLibpcap(program, frames);
    return 0;
}

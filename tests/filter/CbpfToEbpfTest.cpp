// The translator on hand-built classic programs, one semantic rule each,
// run on crafted frames through the probe programs (XDP and TC), against
// the value libpcap's interpreter gives by its rules (CbpfToEbpf.h). The
// corpus-wide comparison with libpcap itself is FilterDifferentialTest.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "FilterProbe.h"
#include "KernelTestEnv.h"
#include "ProgramTestRun.h"
#include "filter/CbpfToEbpf.h"
#include "filter/FilterError.h"
#include "kernel/FilterSplice.h"
#include "netflow_kern_user.h"

namespace nftest {
namespace {

using netflow::CbpfInsn;
using netflow::EbpfInsn;
using netflow::FilterError;
using netflow::FilterHook;

CbpfInsn stmt(uint16_t code, uint32_t k) {
    return CbpfInsn{code, 0, 0, k};
}
CbpfInsn jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
    return CbpfInsn{code, jt, jf, k};
}
const CbpfInsn kAccept = stmt(BPF_RET | BPF_K, 262144);
const CbpfInsn kReject = stmt(BPF_RET | BPF_K, 0);

// An Ethernet + IPv4 (IHL 6, options) + UDP frame, padded to `size`.
std::vector<uint8_t> ipv4Frame(size_t size = 64) {
    std::vector<uint8_t> f(size, 0);
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = 0x46;  // version 4, header length 24
    f[23] = 17;
    for (size_t i = 24; i < size; ++i)
        f[i] = static_cast<uint8_t>(i);
    return f;
}

// The probe's verdict on the frame at XDP and at TC; both must agree.
bool accepts(const std::vector<CbpfInsn> &prog, const std::vector<uint8_t> &frame) {
    FilterProbe probe(prog);
    const TestRunResult xdp = testRun(probe.xdpFd(), frame);
    const TestRunResult tc = testRun(probe.tcFd(), frame);
    EXPECT_EQ(xdp.err, 0);
    EXPECT_EQ(tc.err, 0);
    EXPECT_EQ(xdp.retval, tc.retval) << "XDP and TC disagree";
    return xdp.retval != 0;
}

// "A == value?" after `prefix`: accept when equal.
std::vector<CbpfInsn> expectA(std::vector<CbpfInsn> prefix, uint32_t value) {
    prefix.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    prefix.push_back(kAccept);
    prefix.push_back(kReject);
    return prefix;
}

TEST(CbpfToEbpf, ReturnsAcceptOrReject) {
    NF_REQUIRE_ROOT();
    EXPECT_TRUE(accepts({kAccept}, ipv4Frame()));
    EXPECT_FALSE(accepts({kReject}, ipv4Frame()));
    EXPECT_TRUE(accepts({stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_RET | BPF_A, 0)}, ipv4Frame()));
    EXPECT_FALSE(accepts({stmt(BPF_RET | BPF_A, 0)}, ipv4Frame())) << "A starts at 0";
}

TEST(CbpfToEbpf, LoadsAreBigEndian) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_H | BPF_ABS, 12)}, 0x0800), f));
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_B | BPF_ABS, 23)}, 17), f));
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_W | BPF_ABS, 24)}, 0x18191a1b), f));
}

TEST(CbpfToEbpf, LoadsBeyondTheFrameReject) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame(64);
    EXPECT_TRUE(accepts({stmt(BPF_LD | BPF_B | BPF_ABS, 63), kAccept}, f));
    EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_B | BPF_ABS, 64), kAccept}, f));
    EXPECT_TRUE(accepts({stmt(BPF_LD | BPF_W | BPF_ABS, 60), kAccept}, f));
    EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_W | BPF_ABS, 61), kAccept}, f));
    EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_H | BPF_ABS, 0x7ffc), kAccept}, f));
    EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_H | BPF_ABS, 0x10000), kAccept}, f));
    EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_H | BPF_ABS, 0xffffffff), kAccept}, f));
    // Indexed: X + k, without wrapping around 32 bits.
    EXPECT_TRUE(
        accepts({stmt(BPF_LDX | BPF_IMM, 60), stmt(BPF_LD | BPF_H | BPF_IND, 2), kAccept}, f));
    EXPECT_FALSE(
        accepts({stmt(BPF_LDX | BPF_IMM, 60), stmt(BPF_LD | BPF_W | BPF_IND, 2), kAccept}, f));
    EXPECT_FALSE(accepts(
        {stmt(BPF_LDX | BPF_IMM, 0xfffffff0), stmt(BPF_LD | BPF_B | BPF_IND, 0x20), kAccept}, f));
    EXPECT_FALSE(accepts(
        {stmt(BPF_LDX | BPF_IMM, 0x10), stmt(BPF_LD | BPF_B | BPF_IND, 0xfffffff8), kAccept}, f));
}

// XDP beyond the linear part (a page minus headroom and the shared info):
// the test run puts the rest of a long frame in fragments, which the
// filter reads through bpf_xdp_load_bytes. (TC test runs are linear only.)
TEST(CbpfToEbpf, XdpLoadsReachFragments) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame(4000);
    ASSERT_GT(f.size(), kXdpLinearBytes);
    auto xdp = [&](const std::vector<CbpfInsn> &prog) {
        FilterProbe probe(prog);
        const TestRunResult r = testRun(probe.xdpFd(), f);
        EXPECT_EQ(r.err, 0);
        return r.retval != 0;
    };
    EXPECT_TRUE(xdp(expectA({stmt(BPF_LD | BPF_B | BPF_ABS, 3990)}, 3990 & 0xff)));
    EXPECT_TRUE(xdp(expectA({stmt(BPF_LD | BPF_H | BPF_ABS, 3518)}, 0xbebf)))
        << "a value across the linear part's end";
    EXPECT_TRUE(xdp(
        expectA({stmt(BPF_LDX | BPF_IMM, 3000), stmt(BPF_LD | BPF_W | BPF_IND, 996)}, 0x9c9d9e9f)));
    EXPECT_FALSE(xdp({stmt(BPF_LD | BPF_B | BPF_ABS, 4000), kAccept}));
    EXPECT_TRUE(xdp(expectA({stmt(BPF_LD | BPF_W | BPF_LEN, 0)}, 4000)));
}

TEST(CbpfToEbpf, IndexedLoadAndHeaderLength) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    // X = 4 * (IPv4 IHL) = 24; the byte at 14 + 24 + 1.
    EXPECT_TRUE(accepts(
        expectA({stmt(BPF_LDX | BPF_B | BPF_MSH, 14), stmt(BPF_MISC | BPF_TXA, 0)}, 24), f));
    EXPECT_TRUE(accepts(
        expectA({stmt(BPF_LDX | BPF_B | BPF_MSH, 14), stmt(BPF_LD | BPF_B | BPF_IND, 15)}, 39), f));
    EXPECT_FALSE(accepts({stmt(BPF_LDX | BPF_B | BPF_MSH, 64), kAccept}, f));
}

// Offsets up to the verifier's packet bound (MAX_PACKET_OFF) with the
// load's size added: X from a 16-bit field plus k, and constants near the
// bound, load (found by fuzz/cbpf_translate_fuzz: the verifier refused them).
TEST(CbpfToEbpf, LoadsNearThePacketBoundAreVerified) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    for (const uint16_t size : {BPF_W, BPF_H, BPF_B}) {
        EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_H | BPF_ABS, 12), stmt(BPF_MISC | BPF_TAX, 0),
                              stmt(BPF_LD | size | BPF_IND, 0xc00), kAccept},
                             f));
        for (const uint32_t k : {0xfffbu, 0xfffcu, 0xfffeu, 0xffffu})
            EXPECT_FALSE(accepts({stmt(BPF_LD | size | BPF_ABS, k), kAccept}, f));
    }
}

TEST(CbpfToEbpf, LengthIsTheFrames) {
    NF_REQUIRE_ROOT();
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_W | BPF_LEN, 0)}, 77), ipv4Frame(77)));
    EXPECT_TRUE(
        accepts(expectA({stmt(BPF_LDX | BPF_W | BPF_LEN, 0), stmt(BPF_MISC | BPF_TXA, 0)}, 90),
                ipv4Frame(90)));
}

TEST(CbpfToEbpf, ArithmeticIs32BitUnsigned) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    EXPECT_TRUE(accepts(
        expectA({stmt(BPF_LD | BPF_IMM, 0xfffffffe), stmt(BPF_ALU | BPF_ADD | BPF_K, 3)}, 1), f));
    EXPECT_TRUE(
        accepts(expectA({stmt(BPF_LD | BPF_IMM, 1), stmt(BPF_ALU | BPF_NEG, 0)}, 0xffffffff), f));
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_IMM, 0x10000), stmt(BPF_LDX | BPF_IMM, 0x10001),
                                 stmt(BPF_ALU | BPF_MUL | BPF_X, 0)},
                                0x10000),
                        f));
    EXPECT_TRUE(accepts(
        expectA({stmt(BPF_LD | BPF_IMM, 0xf0), stmt(BPF_ALU | BPF_SUB | BPF_K, 1),
                 stmt(BPF_ALU | BPF_AND | BPF_K, 0x3c), stmt(BPF_ALU | BPF_OR | BPF_K, 0x100),
                 stmt(BPF_ALU | BPF_XOR | BPF_K, 0x1)},
                0x12d),
        f));
    EXPECT_TRUE(accepts(
        expectA({stmt(BPF_LD | BPF_IMM, 0x80000000), stmt(BPF_ALU | BPF_RSH | BPF_K, 31)}, 1), f));
    // A shift by X of 32 or more gives 0, as libpcap's interpreter gives
    // (found by fuzz/cbpf_translate_fuzz: eBPF takes the count modulo 32).
    for (const uint16_t op : {BPF_LSH, BPF_RSH}) {
        EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_IMM, 0x100), stmt(BPF_LDX | BPF_IMM, 33),
                                     stmt(BPF_ALU | op | BPF_X, 0)},
                                    0),
                            f));
        EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_IMM, 0x100), stmt(BPF_LDX | BPF_IMM, 4),
                                     stmt(BPF_ALU | op | BPF_X, 0)},
                                    op == BPF_LSH ? 0x1000 : 0x10),
                            f));
    }
}

TEST(CbpfToEbpf, DivisionByZeroRejects) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    EXPECT_FALSE(
        accepts({stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_ALU | BPF_DIV | BPF_X, 0), kAccept}, f));
    EXPECT_FALSE(
        accepts({stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_ALU | BPF_MOD | BPF_X, 0), kAccept}, f));
    EXPECT_FALSE(
        accepts({stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_ALU | BPF_DIV | BPF_K, 0), kAccept}, f));
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_LDX | BPF_IMM, 7),
                                 stmt(BPF_ALU | BPF_DIV | BPF_X, 0)},
                                14),
                        f));
    EXPECT_TRUE(
        accepts(expectA({stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_ALU | BPF_MOD | BPF_K, 7)}, 2), f));
}

TEST(CbpfToEbpf, ScratchMemory) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    EXPECT_TRUE(
        accepts(expectA({stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_ST, 3), stmt(BPF_LDX | BPF_IMM, 9),
                         stmt(BPF_STX, 15), stmt(BPF_LD | BPF_IMM, 0), stmt(BPF_LDX | BPF_MEM, 3),
                         stmt(BPF_LD | BPF_MEM, 15), stmt(BPF_ALU | BPF_ADD | BPF_X, 0)},
                        16),
                f));
    EXPECT_TRUE(accepts(expectA({stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_LD | BPF_MEM, 5)}, 0), f))
        << "M[] starts at 0";
}

TEST(CbpfToEbpf, JumpsCompareUnsigned) {
    NF_REQUIRE_ROOT();
    const auto f = ipv4Frame();
    auto cmp = [&](uint16_t op, uint32_t a, uint32_t k) {
        return accepts(
            {stmt(BPF_LD | BPF_IMM, a), jump(BPF_JMP | op | BPF_K, k, 0, 1), kAccept, kReject}, f);
    };
    EXPECT_TRUE(cmp(BPF_JGT, 0xffffffff, 1));
    EXPECT_FALSE(cmp(BPF_JGT, 1, 1));
    EXPECT_TRUE(cmp(BPF_JGE, 1, 1));
    EXPECT_FALSE(cmp(BPF_JGE, 1, 0x80000000));
    EXPECT_TRUE(cmp(BPF_JSET, 0x10, 0x30));
    EXPECT_FALSE(cmp(BPF_JSET, 0x10, 0x20));
    // jt taken when false falls through, and by X; an unconditional jump.
    EXPECT_FALSE(accepts({stmt(BPF_LD | BPF_IMM, 3), stmt(BPF_LDX | BPF_IMM, 4),
                          jump(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 0), kReject, kAccept},
                         f));
    EXPECT_TRUE(accepts({stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_LDX | BPF_IMM, 4),
                         jump(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 0), kReject, kAccept},
                        f));
    EXPECT_TRUE(accepts({stmt(BPF_JMP | BPF_JA, 1), kReject, kAccept}, f));
}

TEST(CbpfToEbpf, MalformedProgramsAreRefused) {
    // No root needed: the translator refuses them before the kernel.
    EXPECT_THROW(netflow::translateCbpf(std::vector<CbpfInsn>{}, FilterHook::Xdp), FilterError);
    EXPECT_THROW(
        netflow::translateCbpf(std::vector<CbpfInsn>{stmt(BPF_LD | BPF_IMM, 1)}, FilterHook::Xdp),
        FilterError);
    EXPECT_THROW(netflow::translateCbpf(
                     std::vector<CbpfInsn>{jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0), kAccept},
                     FilterHook::Tc),
                 FilterError);
    EXPECT_THROW(
        netflow::translateCbpf(std::vector<CbpfInsn>{stmt(BPF_ST, 16), kAccept}, FilterHook::Xdp),
        FilterError);
}

TEST(CbpfToEbpf, VerifierRejectionIsAFilterErrorWithItsReason) {
    NF_REQUIRE_ROOT();
    // r0 = r5 (never written); exit.
    const std::vector<EbpfInsn> bad{
        EbpfInsn{BPF_ALU64 | BPF_MOV | BPF_X, static_cast<uint8_t>(BPF_REG_5 << 4), 0, 0},
        EbpfInsn{BPF_JMP | BPF_EXIT, 0, 0, 0}};
    try {
        netflow::verifyFilter(bad, FilterHook::Xdp);
        ADD_FAILURE() << "the verifier accepted a read of an uninitialized register";
    } catch (const FilterError &e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("R5"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
    }
}

}  // namespace
}  // namespace nftest

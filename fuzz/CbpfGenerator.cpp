#include "CbpfGenerator.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace nffuzz {
namespace {

using netflow::CbpfInsn;

// The kernel's classic limit (linux/filter.h BPF_MAXINSNS).
constexpr size_t kMaxInsns = 4096;

// Every opcode libpcap's interpreter and validator know.
constexpr std::array<uint16_t, 49> kOpcodes = {
    BPF_RET | BPF_K,
    BPF_RET | BPF_A,
    BPF_LD | BPF_W | BPF_ABS,
    BPF_LD | BPF_H | BPF_ABS,
    BPF_LD | BPF_B | BPF_ABS,
    BPF_LD | BPF_W | BPF_LEN,
    BPF_LDX | BPF_W | BPF_LEN,
    BPF_LD | BPF_W | BPF_IND,
    BPF_LD | BPF_H | BPF_IND,
    BPF_LD | BPF_B | BPF_IND,
    BPF_LDX | BPF_MSH | BPF_B,
    BPF_LD | BPF_IMM,
    BPF_LDX | BPF_IMM,
    BPF_LD | BPF_MEM,
    BPF_LDX | BPF_MEM,
    BPF_ST,
    BPF_STX,
    BPF_JMP | BPF_JA,
    BPF_JMP | BPF_JGT | BPF_K,
    BPF_JMP | BPF_JGE | BPF_K,
    BPF_JMP | BPF_JEQ | BPF_K,
    BPF_JMP | BPF_JSET | BPF_K,
    BPF_JMP | BPF_JGT | BPF_X,
    BPF_JMP | BPF_JGE | BPF_X,
    BPF_JMP | BPF_JEQ | BPF_X,
    BPF_JMP | BPF_JSET | BPF_X,
    BPF_ALU | BPF_ADD | BPF_X,
    BPF_ALU | BPF_SUB | BPF_X,
    BPF_ALU | BPF_MUL | BPF_X,
    BPF_ALU | BPF_DIV | BPF_X,
    BPF_ALU | BPF_MOD | BPF_X,
    BPF_ALU | BPF_AND | BPF_X,
    BPF_ALU | BPF_OR | BPF_X,
    BPF_ALU | BPF_XOR | BPF_X,
    BPF_ALU | BPF_LSH | BPF_X,
    BPF_ALU | BPF_RSH | BPF_X,
    BPF_ALU | BPF_ADD | BPF_K,
    BPF_ALU | BPF_SUB | BPF_K,
    BPF_ALU | BPF_MUL | BPF_K,
    BPF_ALU | BPF_DIV | BPF_K,
    BPF_ALU | BPF_MOD | BPF_K,
    BPF_ALU | BPF_AND | BPF_K,
    BPF_ALU | BPF_OR | BPF_K,
    BPF_ALU | BPF_XOR | BPF_K,
    BPF_ALU | BPF_LSH | BPF_K,
    BPF_ALU | BPF_RSH | BPF_K,
    BPF_ALU | BPF_NEG,
    BPF_MISC | BPF_TAX,
    BPF_MISC | BPF_TXA,
};

bool knownOpcode(uint16_t code) {
    return std::find(kOpcodes.begin(), kOpcodes.end(), code) != kOpcodes.end();
}

bool isScratchLoad(uint16_t code) {
    return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM);
}

bool isScratchStore(uint16_t code) {
    return code == BPF_ST || code == BPF_STX;
}

bool isConditional(uint16_t code) {
    return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

// For each instruction, the scratch words stored on every path to it
// (forward jumps only: one pass in program order). Unreached: all ones.
std::vector<uint16_t> storedBefore(std::span<const CbpfInsn> p) {
    std::vector<uint16_t> in(p.size(), 0xFFFF);
    if (p.empty())
        return in;
    in[0] = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        uint16_t out = in[i];
        if (isScratchStore(p[i].code) && p[i].k < 16)
            out |= static_cast<uint16_t>(1u << p[i].k);
        auto flow = [&](size_t to) {
            if (to < p.size())
                in[to] &= out;
        };
        const uint16_t code = p[i].code;
        if (BPF_CLASS(code) == BPF_RET)
            continue;
        if (code == (BPF_JMP | BPF_JA)) {
            flow(i + 1 + p[i].k);
        } else if (isConditional(code)) {
            flow(i + 1 + p[i].jt);
            flow(i + 1 + p[i].jf);
        } else {
            flow(i + 1);
        }
    }
    return in;
}

CbpfInsn insnAt(std::span<const uint8_t> bytes, size_t i) {
    uint8_t raw[8] = {};
    if (i * 8 < bytes.size())
        std::memcpy(raw, bytes.data() + i * 8, std::min<size_t>(8, bytes.size() - i * 8));
    CbpfInsn insn{};
    insn.code = static_cast<uint16_t>(raw[0] | raw[1] << 8);
    insn.jt = raw[2];
    insn.jf = raw[3];
    std::memcpy(&insn.k, raw + 4, 4);
    return insn;
}

}  // namespace

bool validCbpf(std::span<const CbpfInsn> p) {
    if (p.empty() || p.size() > kMaxInsns)
        return false;
    for (size_t i = 0; i < p.size(); ++i) {
        const CbpfInsn &c = p[i];
        if (!knownOpcode(c.code))
            return false;
        const uint16_t code = c.code;
        if ((isScratchLoad(code) || isScratchStore(code)) && c.k >= BPF_MEMWORDS)
            return false;
        if ((code == (BPF_ALU | BPF_DIV | BPF_K) || code == (BPF_ALU | BPF_MOD | BPF_K)) &&
            c.k == 0)
            return false;
        if ((code == (BPF_ALU | BPF_LSH | BPF_K) || code == (BPF_ALU | BPF_RSH | BPF_K)) &&
            c.k >= 32)
            return false;
        const size_t from = i + 1;
        if (code == (BPF_JMP | BPF_JA) && c.k >= p.size() - from)
            return false;
        if (isConditional(code) && (from + c.jt >= p.size() || from + c.jf >= p.size()))
            return false;
    }
    if (BPF_CLASS(p.back().code) != BPF_RET)
        return false;
    const std::vector<uint16_t> stored = storedBefore(p);
    for (size_t i = 0; i < p.size(); ++i)
        if (isScratchLoad(p[i].code) && !(stored[i] & (1u << p[i].k)))
            return false;
    return true;
}

std::vector<CbpfInsn> rawProgramFrom(std::span<const uint8_t> bytes, size_t count) {
    std::vector<CbpfInsn> p;
    for (size_t i = 0; i < count; ++i)
        p.push_back(insnAt(bytes, i));
    return p;
}

std::vector<CbpfInsn> validProgramFrom(std::span<const uint8_t> bytes, size_t count) {
    std::vector<CbpfInsn> p = rawProgramFrom(bytes, std::max<size_t>(count, 1));
    for (size_t i = 0; i < p.size(); ++i) {
        CbpfInsn &c = p[i];
        if (!knownOpcode(c.code))
            c.code = kOpcodes[c.code % kOpcodes.size()];
        const size_t after = p.size() - i - 1;  // instructions a jump can land on
        if (BPF_CLASS(c.code) == BPF_JMP && after == 0)
            c.code = BPF_RET | BPF_K;
        if (i + 1 == p.size() && BPF_CLASS(c.code) != BPF_RET)
            c.code = (c.k & 1) ? (BPF_RET | BPF_A) : (BPF_RET | BPF_K);
        if (isScratchLoad(c.code) || isScratchStore(c.code))
            c.k %= BPF_MEMWORDS;
        if ((c.code == (BPF_ALU | BPF_DIV | BPF_K) || c.code == (BPF_ALU | BPF_MOD | BPF_K)) &&
            c.k == 0)
            c.k = 1;
        if (c.code == (BPF_ALU | BPF_LSH | BPF_K) || c.code == (BPF_ALU | BPF_RSH | BPF_K))
            c.k %= 32;
        if (c.code == (BPF_JMP | BPF_JA))
            c.k %= after;
        if (isConditional(c.code)) {
            c.jt = static_cast<uint8_t>(c.jt % std::min<size_t>(after, 256));
            c.jf = static_cast<uint8_t>(c.jf % std::min<size_t>(after, 256));
        }
    }
    // A scratch load no store reaches on every path loads its index instead.
    const std::vector<uint16_t> stored = storedBefore(p);
    for (size_t i = 0; i < p.size(); ++i) {
        if (isScratchLoad(p[i].code) && !(stored[i] & (1u << p[i].k)))
            p[i].code = BPF_CLASS(p[i].code) == BPF_LD ? (BPF_LD | BPF_IMM) : (BPF_LDX | BPF_IMM);
    }
    return p;
}

}  // namespace nffuzz

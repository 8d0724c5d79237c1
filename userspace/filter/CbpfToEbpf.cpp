#include "filter/CbpfToEbpf.h"

#include <linux/bpf.h>
#include <linux/filter.h>

#include <cstddef>
#include <cstring>
#include <limits>
#include <string>

#include "filter/FilterError.h"

namespace netflow {

static_assert(sizeof(EbpfInsn) == sizeof(bpf_insn));
static_assert(offsetof(EbpfInsn, off) == offsetof(bpf_insn, off));
static_assert(offsetof(EbpfInsn, imm) == offsetof(bpf_insn, imm));
static_assert(sizeof(CbpfInsn) == sizeof(sock_filter));
static_assert(offsetof(CbpfInsn, k) == offsetof(sock_filter, k));

namespace {

// Registers. A and X live in callee-saved registers so that a helper call
// (bpf_skb_load_bytes, bpf_xdp_get_buff_len) keeps them; r1-r5 and r0 are
// scratch within one classic instruction.
constexpr uint8_t kRegA = BPF_REG_6;
constexpr uint8_t kRegX = BPF_REG_7;
constexpr uint8_t kRegCtx = BPF_REG_8;
constexpr uint8_t kRegData = BPF_REG_9;  // the frame's first byte (a packet pointer)

// The stack: M[0..15] at fp-64..fp-4, then 8 bytes the load helpers write to.
constexpr uint32_t kScratchWords = BPF_MEMWORDS;
constexpr int16_t kScratchBase = -4 * static_cast<int16_t>(kScratchWords);
constexpr int16_t kLoadBuffer = kScratchBase - 8;

// The verifier's bound on an offset from a packet pointer (MAX_PACKET_OFF),
// which the end of the value read (offset + size) must keep; an XDP frame
// is never that long.
constexpr uint32_t kMaxPacketOffset = 0xffff;
// Constant offsets up to here fit a load's 16-bit signed offset field.
constexpr uint32_t kMaxInsnOffset = 0x7fff - 4;

EbpfInsn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    return EbpfInsn{code, static_cast<uint8_t>((src << 4) | (dst & 0x0f)), off, imm};
}

int32_t asImm(uint32_t k) {
    int32_t imm;
    std::memcpy(&imm, &k, sizeof(imm));  // the bit pattern: 32-bit ops use it as is
    return imm;
}

// Where a jump goes, resolved once every classic instruction has its
// place in the output.
struct Fixup {
    size_t at;      // the jump's index in the output
    size_t target;  // a classic instruction's index, or kReject
};
constexpr size_t kReject = std::numeric_limits<size_t>::max();

class Translator {
  public:
    Translator(std::span<const CbpfInsn> cbpf, FilterHook hook) : cbpf_(cbpf), hook_(hook) {}

    std::vector<EbpfInsn> run() {
        if (cbpf_.empty())
            throw FilterError("empty classic BPF program");
        prologue();
        starts_.resize(cbpf_.size());
        const std::vector<bool> reachable = reachableInstructions();
        for (size_t i = 0; i < cbpf_.size(); ++i) {
            starts_[i] = out_.size();
            if (reachable[i])
                translate(i, cbpf_[i]);
        }
        // One shared rejection, only when something jumps to it: the
        // verifier refuses unreachable instructions.
        const size_t reject = out_.size();
        for (const Fixup &f : fixups_) {
            if (f.target == kReject) {
                emit(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
                emit(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
                break;
            }
        }
        for (const Fixup &f : fixups_) {
            const size_t to = f.target == kReject ? reject : starts_[f.target];
            const long off = static_cast<long>(to) - static_cast<long>(f.at) - 1;
            if (off < std::numeric_limits<int16_t>::min() ||
                off > std::numeric_limits<int16_t>::max())
                throw FilterError("filter too long for eBPF jumps");
            out_[f.at].off = static_cast<int16_t>(off);
        }
        return std::move(out_);
    }

  private:
    void emit(EbpfInsn i) { out_.push_back(i); }

    // Whether the instruction always rejects the frame, whatever it is:
    // a division by the constant 0.
    static bool alwaysRejects(const CbpfInsn &c) {
        return BPF_CLASS(c.code) == BPF_ALU && BPF_SRC(c.code) == BPF_K &&
               (BPF_OP(c.code) == BPF_DIV || BPF_OP(c.code) == BPF_MOD) && c.k == 0;
    }

    // The instructions some path reaches. The others are left out: the
    // verifier refuses unreachable code, which classic BPF allows (code
    // after an instruction that always rejects, a jump over code).
    std::vector<bool> reachableInstructions() const {
        std::vector<bool> seen(cbpf_.size(), false);
        std::vector<size_t> todo{0};
        while (!todo.empty()) {
            const size_t i = todo.back();
            todo.pop_back();
            if (seen[i])
                continue;
            seen[i] = true;
            const CbpfInsn &c = cbpf_[i];
            if (BPF_CLASS(c.code) == BPF_RET || alwaysRejects(c))
                continue;
            if (BPF_CLASS(c.code) != BPF_JMP) {
                if (i + 1 >= cbpf_.size())
                    throw FilterError("classic BPF program runs past its end");
                todo.push_back(i + 1);
            } else if (BPF_OP(c.code) == BPF_JA) {
                todo.push_back(target(i, c.k));
            } else {
                todo.push_back(target(i, c.jt));
                todo.push_back(target(i, c.jf));
            }
        }
        return seen;
    }

    // A jump (opcode `code`, filled with registers and imm) to a classic
    // instruction or to the rejection.
    void jumpTo(EbpfInsn jump, size_t target) {
        fixups_.push_back(Fixup{out_.size(), target});
        emit(jump);
    }
    void reject() { jumpTo(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), kReject); }

    size_t target(size_t from, uint32_t skip) const {
        const size_t to = from + 1 + skip;
        if (to >= cbpf_.size())
            throw FilterError("classic BPF jump out of the program at instruction " +
                              std::to_string(from));
        return to;
    }

    int32_t dataOffset() const {
        return hook_ == FilterHook::Xdp ? offsetof(xdp_md, data) : offsetof(__sk_buff, data);
    }
    int32_t dataEndOffset() const {
        return hook_ == FilterHook::Xdp ? offsetof(xdp_md, data_end)
                                        : offsetof(__sk_buff, data_end);
    }

    void prologue() {
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, kRegCtx, BPF_REG_1, 0, 0));
        emit(insn(BPF_LDX | BPF_MEM | BPF_W, kRegData, kRegCtx, static_cast<int16_t>(dataOffset()),
                  0));
        emit(insn(BPF_ALU | BPF_MOV | BPF_K, kRegA, 0, 0, 0));
        emit(insn(BPF_ALU | BPF_MOV | BPF_K, kRegX, 0, 0, 0));
        // M[] starts at 0 as in libpcap's interpreter (and the verifier
        // refuses reads of stack never written): only when it is read.
        for (const CbpfInsn &c : cbpf_) {
            if (c.code == (BPF_LD | BPF_MEM) || c.code == (BPF_LDX | BPF_MEM)) {
                for (uint32_t m = 0; m < kScratchWords; ++m)
                    emit(insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, scratch(m), 0));
                break;
            }
        }
    }

    int16_t scratch(uint32_t k) const {
        if (k >= kScratchWords)
            throw FilterError("classic BPF scratch memory M[" + std::to_string(k) +
                              "] out of range");
        return static_cast<int16_t>(kScratchBase + 4 * static_cast<int16_t>(k));
    }

    // dst = the `size`-byte big-endian value at offset k (+ X when
    // indexed) of the frame, or reject.
    void load(uint8_t dst, uint32_t size_code, bool indexed, uint32_t k) {
        const int32_t size = size_code == BPF_W ? 4 : size_code == BPF_H ? 2 : 1;
        // Read directly only when the value's end is within the verifier's bound.
        const uint32_t max_direct = kMaxPacketOffset - static_cast<uint32_t>(size);
        std::vector<size_t> to_slow;  // jumps to the helper's path
        auto outside = [&](EbpfInsn jump) {
            to_slow.push_back(out_.size());
            emit(jump);
        };
        // r1 = the offset, 64-bit so that X + k cannot wrap.
        if (indexed) {
            emit(insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, kRegX, 0, 0));
            if (k <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
                if (k)
                    emit(insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, asImm(k)));
            } else {
                emit(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, asImm(k)));
                emit(insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0));
            }
            outside(insn(BPF_JMP | BPF_JGT | BPF_K, BPF_REG_1, 0, 0, asImm(max_direct)));
            emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, kRegData, 0, 0));
            emit(insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_2, BPF_REG_1, 0, 0));
        } else if (k > max_direct) {
            // Beyond any linear part: only the helper reaches it.
        } else if (k <= kMaxInsnOffset) {
            // The most common load, a header field: the value's end checked
            // against data_end, then read at data + k.
            emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, kRegData, 0, 0));
            emit(insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, asImm(k) + size));
            emit(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, kRegCtx,
                      static_cast<int16_t>(dataEndOffset()), 0));
            outside(insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_3, BPF_REG_4, 0, 0));
            emit(insn(BPF_LDX | BPF_MEM | size_code, dst, kRegData, static_cast<int16_t>(k), 0));
            toHostOrder(dst, size);
        } else {
            emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, kRegData, 0, 0));
            emit(insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, asImm(k)));
        }
        // The direct path: r2 points at the value, checked against data_end.
        const bool direct = indexed || (k > kMaxInsnOffset && k <= max_direct);
        const bool fast_constant = !indexed && k <= kMaxInsnOffset;
        if (direct) {
            emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0));
            emit(insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, size));
            emit(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, kRegCtx,
                      static_cast<int16_t>(dataEndOffset()), 0));
            outside(insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_3, BPF_REG_4, 0, 0));
            emit(insn(BPF_LDX | BPF_MEM | size_code, dst, BPF_REG_2, 0, 0));
            toHostOrder(dst, size);
        }
        // Beyond the linear part: the helper reads anywhere in the frame
        // (an skb's paged data, an XDP frame's fragments) and fails beyond
        // its end.
        size_t skip_slow = 0;
        if (direct || fast_constant) {
            skip_slow = out_.size();
            emit(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
        }
        const size_t slow = out_.size();
        for (size_t at : to_slow)
            out_[at].off = static_cast<int16_t>(slow - at - 1);
        if (indexed) {
            // The helper takes a 32-bit offset: X + k beyond it is beyond any frame.
            emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_1, 0, 0));
            emit(insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 32));
            jumpTo(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, 0), kReject);
            emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_1, 0, 0));
        } else {
            emit(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, asImm(k)));
        }
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, kRegCtx, 0, 0));
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0));
        emit(insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, kLoadBuffer));
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, size));
        emit(insn(BPF_JMP | BPF_CALL, 0, 0, 0,
                  hook_ == FilterHook::Tc ? BPF_FUNC_skb_load_bytes : BPF_FUNC_xdp_load_bytes));
        jumpTo(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0), kReject);
        emit(insn(BPF_LDX | BPF_MEM | size_code, dst, BPF_REG_10, kLoadBuffer, 0));
        toHostOrder(dst, size);
        if (direct || fast_constant)
            out_[skip_slow].off = static_cast<int16_t>(out_.size() - skip_slow - 1);
    }

    // Classic BPF loads are big-endian.
    void toHostOrder(uint8_t reg, int32_t size) {
        if (size > 1)
            emit(insn(BPF_ALU | BPF_END | BPF_TO_BE, reg, 0, 0, size * 8));
    }

    void frameLength(uint8_t dst) {
        if (hook_ == FilterHook::Tc) {
            emit(insn(BPF_LDX | BPF_MEM | BPF_W, dst, kRegCtx, offsetof(__sk_buff, len), 0));
            return;
        }
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, kRegCtx, 0, 0));
        emit(insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_xdp_get_buff_len));
        emit(insn(BPF_ALU | BPF_MOV | BPF_X, dst, BPF_REG_0, 0, 0));
    }

    void alu(size_t i, const CbpfInsn &c) {
        const uint8_t op = BPF_OP(c.code);
        const bool by_x = BPF_SRC(c.code) == BPF_X;
        switch (op) {
            case BPF_NEG:
                emit(insn(BPF_ALU | BPF_NEG, kRegA, 0, 0, 0));
                return;
            case BPF_ADD:
            case BPF_SUB:
            case BPF_MUL:
            case BPF_OR:
            case BPF_AND:
            case BPF_XOR:
                break;
            case BPF_DIV:
            case BPF_MOD:
                // Division by zero rejects the frame, as in libpcap.
                if (by_x) {
                    jumpTo(insn(BPF_JMP32 | BPF_JEQ | BPF_K, kRegX, 0, 0, 0), kReject);
                } else if (c.k == 0) {
                    reject();
                    return;
                }
                break;
            case BPF_LSH:
            case BPF_RSH:
                // By X, a count of 32 or more gives 0, as in libpcap's
                // interpreter (1.10: `X < 32 ? A << X : 0`); eBPF's shift
                // would take it modulo 32. By k (bpf_validate refuses
                // k >= 32), the count modulo 32, what the interpreter's C
                // shift does on x86-64 (the verifier refuses k >= 32).
                if (!by_x) {
                    emit(insn(BPF_ALU | op | BPF_K, kRegA, 0, 0, asImm(c.k & 31)));
                    return;
                }
                emit(insn(BPF_JMP32 | BPF_JGT | BPF_K, kRegX, 0, 2, 31));
                emit(insn(BPF_ALU | op | BPF_X, kRegA, kRegX, 0, 0));
                emit(insn(BPF_JMP | BPF_JA, 0, 0, 1, 0));
                emit(insn(BPF_ALU | BPF_MOV | BPF_K, kRegA, 0, 0, 0));
                return;
            default:
                throw FilterError("unknown classic BPF ALU operation at instruction " +
                                  std::to_string(i));
        }
        if (by_x)
            emit(insn(BPF_ALU | op | BPF_X, kRegA, kRegX, 0, 0));
        else
            emit(insn(BPF_ALU | op | BPF_K, kRegA, 0, 0, asImm(c.k)));
    }

    void jump(size_t i, const CbpfInsn &c) {
        const uint8_t op = BPF_OP(c.code);
        if (op == BPF_JA) {
            jumpTo(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), target(i, c.k));
            return;
        }
        if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
            throw FilterError("unknown classic BPF jump at instruction " + std::to_string(i));
        const bool by_x = BPF_SRC(c.code) == BPF_X;
        auto cond = [&](uint8_t eop) {
            return by_x ? insn(BPF_JMP32 | eop | BPF_X, kRegA, kRegX, 0, 0)
                        : insn(BPF_JMP32 | eop | BPF_K, kRegA, 0, 0, asImm(c.k));
        };
        const size_t on_true = target(i, c.jt);
        const size_t on_false = target(i, c.jf);
        if (on_true == on_false) {
            jumpTo(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), on_true);
            return;
        }
        // One jump where the other side falls through.
        const uint8_t inverse = op == BPF_JEQ   ? BPF_JNE
                                : op == BPF_JGT ? BPF_JLE
                                : op == BPF_JGE ? BPF_JLT
                                                : 0;
        if (c.jf == 0) {
            jumpTo(cond(op), on_true);
        } else if (c.jt == 0 && inverse) {
            jumpTo(cond(inverse), on_false);
        } else {
            jumpTo(cond(op), on_true);
            jumpTo(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), on_false);
        }
    }

    void translate(size_t i, const CbpfInsn &c) {
        switch (BPF_CLASS(c.code)) {
            case BPF_LD:
            case BPF_LDX: {
                const bool to_x = BPF_CLASS(c.code) == BPF_LDX;
                const uint8_t dst = to_x ? kRegX : kRegA;
                const uint8_t mode = BPF_MODE(c.code);
                const uint8_t size = BPF_SIZE(c.code);
                if (!to_x && (mode == BPF_ABS || mode == BPF_IND) && size != BPF_DW) {
                    load(dst, size, mode == BPF_IND, c.k);
                } else if (to_x && c.code == (BPF_LDX | BPF_B | BPF_MSH)) {
                    // X = 4 * (the low nibble of the byte at k): an IPv4 header length.
                    load(kRegX, BPF_B, false, c.k);
                    emit(insn(BPF_ALU | BPF_AND | BPF_K, kRegX, 0, 0, 0x0f));
                    emit(insn(BPF_ALU | BPF_LSH | BPF_K, kRegX, 0, 0, 2));
                } else if (size == BPF_W && mode == BPF_IMM) {
                    emit(insn(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, asImm(c.k)));
                } else if (size == BPF_W && mode == BPF_MEM) {
                    emit(insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_10, scratch(c.k), 0));
                } else if (size == BPF_W && mode == BPF_LEN) {
                    frameLength(dst);
                } else {
                    throw FilterError("unknown classic BPF load at instruction " +
                                      std::to_string(i));
                }
                return;
            }
            case BPF_ST:
                emit(insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, kRegA, scratch(c.k), 0));
                return;
            case BPF_STX:
                emit(insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, kRegX, scratch(c.k), 0));
                return;
            case BPF_ALU:
                alu(i, c);
                return;
            case BPF_JMP:
                jump(i, c);
                return;
            case BPF_RET:
                if (BPF_RVAL(c.code) == BPF_A)
                    emit(insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, kRegA, 0, 0));
                else if (BPF_RVAL(c.code) == BPF_K)
                    emit(insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, c.k != 0));
                else
                    throw FilterError("unknown classic BPF return at instruction " +
                                      std::to_string(i));
                emit(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
                return;
            case BPF_MISC:
                if (BPF_MISCOP(c.code) == BPF_TAX)
                    emit(insn(BPF_ALU | BPF_MOV | BPF_X, kRegX, kRegA, 0, 0));
                else if (BPF_MISCOP(c.code) == BPF_TXA)
                    emit(insn(BPF_ALU | BPF_MOV | BPF_X, kRegA, kRegX, 0, 0));
                else
                    throw FilterError("unknown classic BPF instruction at " + std::to_string(i));
                return;
            default:
                throw FilterError("unknown classic BPF instruction at " + std::to_string(i));
        }
    }

    std::span<const CbpfInsn> cbpf_;
    FilterHook hook_;
    std::vector<EbpfInsn> out_;
    std::vector<size_t> starts_;
    std::vector<Fixup> fixups_;
};

}  // namespace

std::vector<EbpfInsn> translateCbpf(std::span<const CbpfInsn> cbpf, FilterHook hook) {
    // The last instruction must end the program: no path runs off its end.
    if (!cbpf.empty() && BPF_CLASS(cbpf.back().code) != BPF_RET)
        throw FilterError("classic BPF program without a final return");
    return Translator(cbpf, hook).run();
}

}  // namespace netflow

#include "filter/CbpfProgram.h"

#include <cstddef>

#include "filter/BpfFilter.h"

namespace netflow {

static_assert(sizeof(CbpfInsn) == sizeof(bpf_insn));
static_assert(offsetof(CbpfInsn, code) == offsetof(bpf_insn, code));
static_assert(offsetof(CbpfInsn, jt) == offsetof(bpf_insn, jt));
static_assert(offsetof(CbpfInsn, jf) == offsetof(bpf_insn, jf));
static_assert(offsetof(CbpfInsn, k) == offsetof(bpf_insn, k));

std::vector<CbpfInsn> compileCbpf(const std::string &expression, int link_type, int snaplen) {
    const BpfFilter filter(link_type, snaplen, expression);
    std::vector<CbpfInsn> insns;
    insns.reserve(filter.instructions().size());
    for (const bpf_insn &in : filter.instructions())
        insns.push_back(CbpfInsn{in.code, in.jt, in.jf, in.k});
    return insns;
}

}  // namespace netflow

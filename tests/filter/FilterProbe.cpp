#include "FilterProbe.h"

#include <vector>

#include "kernel/FilterSplice.h"
#include "filter_probe.skel.h"
#include "kernel/BpfSkeleton.h"
#include "kernel/KernelError.h"
#include "netflow_kern_user.h"

namespace nftest {
namespace {

using netflow::EbpfInsn;
using netflow::FilterHook;

std::vector<EbpfInsn> verified(std::vector<EbpfInsn> insns, FilterHook hook) {
    netflow::verifyFilter(insns, hook);
    return insns;
}

}  // namespace

FilterProbe::FilterProbe(std::span<const EbpfInsn> xdp, std::span<const EbpfInsn> tc) {
    netflow::installSpliceHandlers();
    skel_ = std::make_unique<netflow::BpfSkeleton<filter_probe>>("filter_probe");
    netflow::FilterSplice xdp_splice((*skel_)->obj, (*skel_)->progs.probe_xdp, NF_FILTER_XDP_FUNC,
                                     {xdp.begin(), xdp.end()});
    netflow::FilterSplice tc_splice((*skel_)->obj, (*skel_)->progs.probe_tc, NF_FILTER_TC_FUNC,
                                    {tc.begin(), tc.end()});
    skel_->load();
    for (const netflow::FilterSplice *splice : {&xdp_splice, &tc_splice})
        if (!splice->error().empty())
            throw netflow::KernelError("splicing the filter: " + splice->error());
}

FilterProbe::FilterProbe(std::span<const netflow::CbpfInsn> cbpf)
    : FilterProbe(verified(netflow::translateCbpf(cbpf, FilterHook::Xdp), FilterHook::Xdp),
                  verified(netflow::translateCbpf(cbpf, FilterHook::Tc), FilterHook::Tc)) {}

FilterProbe::~FilterProbe() = default;

int FilterProbe::xdpFd() const {
    return bpf_program__fd((*skel_)->progs.probe_xdp);
}

int FilterProbe::tcFd() const {
    return bpf_program__fd((*skel_)->progs.probe_tc);
}

}  // namespace nftest

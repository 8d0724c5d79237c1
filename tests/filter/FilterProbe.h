// The probe programs (filter_probe.bpf.c) loaded with a translated filter
// spliced into their filter functions by FilterSplice, exactly as the
// sensor splices it into the counting programs. BPF_PROG_TEST_RUN on
// xdpFd() or tcFd() returns 1 when the filter accepts the frame, 0 when it
// rejects it.
//
// libbpf's headers stay in the .cpp: <linux/bpf.h> cannot be included next
// to libpcap's headers, which the tests need for the oracle.
#pragma once

#include <memory>
#include <span>

#include "filter/CbpfToEbpf.h"

struct filter_probe;

namespace netflow {
template <typename T>
class BpfSkeleton;
}  // namespace netflow

namespace nftest {

class FilterProbe {
  public:
    // The translations as given, not verified alone first: the verifier
    // sees them only inside the probe. Throws KernelError when it refuses.
    FilterProbe(std::span<const netflow::EbpfInsn> xdp, std::span<const netflow::EbpfInsn> tc);
    // Both hooks' translations of a classic program, verified alone first
    // as the sensor does (FilterError with the verifier's reason).
    explicit FilterProbe(std::span<const netflow::CbpfInsn> cbpf);
    ~FilterProbe();
    FilterProbe(const FilterProbe &) = delete;
    FilterProbe &operator=(const FilterProbe &) = delete;

    int xdpFd() const;
    int tcFd() const;

  private:
    std::unique_ptr<netflow::BpfSkeleton<filter_probe>> skel_;
};

}  // namespace nftest

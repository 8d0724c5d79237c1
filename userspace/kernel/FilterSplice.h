// The translated filter spliced into a program as libbpf loads it: the
// program's global filter function (bpf/netflow_filter.h) gets the
// translation as its body, in the instructions the kernel verifies. The
// filter then costs a call, with no indirect call, no tail call, no
// trampoline; the verifier checks it with the rest of the program.
//
// How: libbpf calls a section handler's prog_prepare_load_fn right before
// it loads a program, with the final instructions (subprograms appended,
// maps resolved); there the function's body is replaced
// (bpf_program__set_insns) and the BTF line and function records, calls
// and callback references after it are moved by the change in length.
// An extension program (freplace) would do the same after load, but needs
// BPF trampolines, which kernels built without ftrace lack.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "filter/CbpfToEbpf.h"

struct bpf_object;
struct bpf_program;

namespace netflow {

// Installs the section handlers for SEC("xdp") and SEC("tc") that splice
// armed programs (and leave every other program as libbpf's own handlers
// would). Process-wide, idempotent; call it before opening an object whose
// programs may be spliced: libbpf picks a program's handler when it opens
// the object. Throws KernelError.
void installSpliceHandlers();

// The filter alone, loaded as a program of the hook's type: the verifier's
// verdict on it, before the program it goes into spends seconds in the
// verifier. Throws FilterError with the verifier's reason in one line.
void verifyFilter(std::span<const EbpfInsn> filter, FilterHook hook);

// Arms the splice of `filter` into `function` of `program` (of `object`,
// opened, not loaded) for as long as it lives; the load happens meanwhile.
class FilterSplice {
  public:
    FilterSplice(bpf_object *object, bpf_program *program, std::string function,
                 std::vector<EbpfInsn> filter);
    ~FilterSplice();
    FilterSplice(const FilterSplice &) = delete;
    FilterSplice &operator=(const FilterSplice &) = delete;

    // After the load: empty when the filter went in, else why not.
    std::string error() const;

    struct Armed;  // what the load callback needs (FilterSplice.cpp)

  private:
    std::unique_ptr<Armed> armed_;
    const bpf_program *key_ = nullptr;
};

}  // namespace netflow

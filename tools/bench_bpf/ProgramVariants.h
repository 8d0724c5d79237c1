// The programs bpf_cost compares, loaded. One list, in table order: the two
// references, netflow's program as the sensor loads it, then the
// diagnostic variants that break its cost down. A new variant (a filter,
// another knob) is one more entry in ProgramVariants.cpp.
#pragma once

#include <vector>

#include "ProgramUnderTest.h"

namespace nfbench {

struct VariantOptions {
    bool breakdown = true;  // load the diagnostic variants as well
};

// Loads every variant (the verifier runs here: seconds for netflow's).
// Throws netflow::KernelError or std::runtime_error.
std::vector<ProgramUnderTest> loadVariants(const VariantOptions &options);

}  // namespace nfbench

// --about: what the running kernel offers the kernel path, probed the way
// libbpf does (a tiny map or program created and closed; nothing attached).
// libbpf's headers stay in the .cpp (CountingPrograms.h says why).
#pragma once

#include <string>
#include <vector>

namespace netflow {

struct KernelFeature {
    std::string name;    // "BPF ring buffer", "tcx", ...
    std::string answer;  // "yes", "no", or "unknown (...)"
};

// Every probe, in the order --about prints them.
std::vector<KernelFeature> probeKernelFeatures();

// The libbpf and libxdp versions linked in.
std::string libbpfVersion();

}  // namespace netflow

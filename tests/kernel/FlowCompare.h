// Compares the flows the kernel programs produced with the flows the
// offline FlowMeter exported for the same frames: as multisets keyed by
// (flow key, first_us), every byte of nf_flow_state but `dpi_done` (DPI
// budgets are userspace's business), field by field.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernel/FlowMapReader.h"

namespace nftest {

using netflow::KernelFlow;

// "TCP 10.0.0.1:1234 <-> 10.0.0.2:80 vlan 5"
std::string formatKey(const nf_flow_key &key);

// One line per difference ("flow F first_us T: field dir[IN].bytes: kernel
// 120, userspace 60"), at most max_lines of them; empty when equal.
std::vector<std::string> compareFlows(const std::vector<KernelFlow> &kernel,
                                      const std::vector<KernelFlow> &user, size_t max_lines = 20);

}  // namespace nftest

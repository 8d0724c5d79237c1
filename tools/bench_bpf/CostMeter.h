// Per-packet cost of each program over one set of frames, by
// BPF_PROG_TEST_RUN: every frame once per round (`repeat` times in the
// kernel), the programs interleaved so that drift (frequency, the other
// CPU's load) falls on all of them alike: round r runs them in list order
// starting at program r. Every program starts each round with empty maps,
// and is held in the XDP dispatcher while it runs (DispatcherHold.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ProgramUnderTest.h"

namespace nfbench {

struct Scenario {
    std::string name;
    std::string what;
    std::vector<std::span<const uint8_t>> frames;
    uint32_t repeat = 1;
};

struct ProgramCost {
    std::vector<double> kernel_ns;  // per packet, by the kernel's clock, one per round
    std::vector<double> wall_ns;    // per packet, the whole syscall from userspace, one per round
    uint64_t entries = 0;           // hash map entries after one round
    std::optional<nf_kern_stats> stats;  // what its statistics counted over the scenario
    bool held = true;                    // in the dispatcher for every round
};

struct MeterSetup {
    unsigned rounds = 5;
    int cpu = 0;        // the measuring thread's CPU (it must be pinned there)
    int hold_cpu = -1;  // DispatcherHold's
};

// Costs in the order of `programs`. Throws std::runtime_error.
std::vector<ProgramCost> measure(const Scenario &scenario, std::vector<ProgramUnderTest> &programs,
                                 const MeterSetup &setup);

double median(std::vector<double> v);

}  // namespace nfbench

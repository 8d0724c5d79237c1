// The verifier's work on the kernel programs, in every configuration the
// knobs allow: printed for the record, and held under a quarter of the
// kernel's limit of 1,000,000 processed instructions so that a change that
// multiplies the paths fails here, long before a kernel refuses the load.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "BpfHelpers.h"
#include "KernelTestEnv.h"
#include "kernel/KernelError.h"

namespace nftest {
namespace {

constexpr uint32_t kVerifiedBudget = 250'000;

void expectCheap(const std::string &what, netflow::CountingPrograms &programs) {
    const ProgramCost xdp = programCost(programs.xdpProgramFd());
    const ProgramCost tc = programCost(programs.tcProgramFd());
    std::printf("%s: XDP %u instructions verified, %u loaded; TC %u verified, %u loaded\n",
                what.c_str(), xdp.verified_insns, xdp.xlated_insns, tc.verified_insns,
                tc.xlated_insns);
    EXPECT_GT(xdp.verified_insns, 0u) << what << ": the kernel reports verified_insns";
    EXPECT_LT(xdp.verified_insns, kVerifiedBudget) << what << " (XDP)";
    EXPECT_LT(tc.verified_insns, kVerifiedBudget) << what << " (TC)";
}

TEST(VerifierCostTest, EveryConfigurationStaysWellUnderTheLimit) {
    NF_REQUIRE_ROOT();
    struct Variant {
        const char *name;
        Filtering filtering;
        uint8_t capture_mode;
        bool test_clock;
    } variants[] = {
        {"host, default filter", Filtering::Default, NF_CAPTURE_HOST, false},
        {"host, every IP packet", Filtering::AllIp, NF_CAPTURE_HOST, false},
        {"tap, default filter", Filtering::Default, NF_CAPTURE_TAP, false},
        {"host, default filter, test clock", Filtering::Default, NF_CAPTURE_HOST, true},
    };
    for (const Variant &v : variants) {
        netflow::CountingConfig config = testConfig(1024, v.filtering);
        config.capture_mode = v.capture_mode;
        config.use_test_clock = v.test_clock;
        try {
            auto programs = loadTestPrograms(config);
            expectCheap(v.name, *programs);
        } catch (const netflow::KernelError &e) {
            ADD_FAILURE() << v.name << ": loading the kernel programs as root: " << e.what();
        }
    }
}

}  // namespace
}  // namespace nftest

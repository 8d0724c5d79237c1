// The kernel programs count exactly what the offline path counts: every
// golden capture and every Ethernet capture of the nDPI corpus, frame by
// frame through BPF_PROG_TEST_RUN (no interface is ever attached), against
// FlowMeter on the same frames and times. Flows are compared as multisets
// by (key, first_us), every state field but dpi_done; statistics counter by
// counter. Once with the default filter, once with every IP packet (the
// offline `--filter ''`), which brings in IPv6, IPv6 extension headers and
// fragments, and protocols other than TCP/UDP/ICMP.
#include <gtest/gtest.h>

#include <cstdio>

#include "CaptureReplay.h"
#include "KernelTestEnv.h"
#include "ReplayChecks.h"

namespace nftest {
namespace {

class CountingEqualityTest : public ::testing::Test {
  protected:
    void SetUp() override { NF_REQUIRE_ROOT(); }

    // Replays each capture; the summary goes to stdout (ctest -V shows it).
    static ReplayTotals replayAll(Filtering filtering, const std::vector<std::string> &captures,
                                  Hook hook) {
        ReplayTotals totals;
        std::string error;
        netflow::CountingPrograms *programs = sharedPrograms(filtering, &error);
        if (!programs) {
            ADD_FAILURE() << "loading the kernel programs as root: " << error;
            return totals;
        }
        CaptureReplay replay(*programs, sharedClassifier());
        for (const std::string &capture : captures) {
            ReplayResult r = replay.run(capture, hook);
            totals.add(r, expectSameAsOffline(capture, r));
        }
        return totals;
    }

    // Golden + corpus through XDP, then TC: every flow equal to offline's.
    static void expectEqualOnBothHooks(Filtering filtering, const std::string &what) {
        const auto captures = goldenAndCorpusCaptures();
        for (Hook hook : {Hook::Xdp, Hook::Tc}) {
            ReplayTotals t = replayAll(filtering, captures, hook);
            const std::string label =
                std::string(hook == Hook::Xdp ? "XDP, " : "TC, ") + what + ", golden + corpus";
            std::printf("%s\n", t.summary(label, hook).c_str());
            EXPECT_EQ(t.unequal, 0u) << label;
        }
    }
};

TEST_F(CountingEqualityTest, GoldenCapturesThroughXdp) {
    auto captures = goldenCaptures();
    ASSERT_EQ(captures.size(), 5u);
    ReplayTotals t = replayAll(Filtering::Default, captures, Hook::Xdp);
    std::printf("%s\n", t.summary("XDP, golden", Hook::Xdp).c_str());
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_EQ(t.frames.run, t.frames.in_capture) << "every golden frame is test-run";
}

TEST_F(CountingEqualityTest, CorpusEthernetCapturesThroughXdp) {
    size_t others = 0;
    auto captures = corpusEthernetCaptures(&others);
    ASSERT_GT(captures.size(), 300u);
    ReplayTotals t = replayAll(Filtering::Default, captures, Hook::Xdp);
    std::printf("%s; %zu captures of other link types not replayed\n",
                t.summary("XDP, nDPI corpus", Hook::Xdp).c_str(), others);
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_EQ(t.frames.too_long, 0u) << "XDP's test run takes long frames (fragments)";
    EXPECT_GT(t.ended_in_kernel, 0u) << "timeouts and TCP ends happen in the kernel";
}

// The TC program is the same counting function behind another context: it
// must count the same. Its test run is linear only (ProgramTestRun.h), so
// longer frames are skipped on both sides.
TEST_F(CountingEqualityTest, GoldenAndCorpusCapturesThroughTc) {
    ReplayTotals t = replayAll(Filtering::Default, goldenAndCorpusCaptures(), Hook::Tc);
    std::printf("%s\n", t.summary("TC, golden + nDPI corpus", Hook::Tc).c_str());
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_GT(t.frames.run, 0u);
}

// --filter inside the programs: libpcap's filter, translated and spliced,
// decides before the counting core; offline, libpcap runs it on the same
// frames. Same flows, same "filtered out".
TEST_F(CountingEqualityTest, UserFilterThroughXdpAndTc) {
    expectEqualOnBothHooks(Filtering::User, "--filter");
}

TEST_F(CountingEqualityTest, EveryIpPacketThroughXdpAndTc) {
    expectEqualOnBothHooks(Filtering::AllIp, "every IP packet");
}

}  // namespace
}  // namespace nftest

// tap capture (a mirror port), the XDP program loaded with capture_mode =
// NF_CAPTURE_TAP: packets whose payload userspace wants go to the RX
// queue's AF_XDP socket (XDP_REDIRECT through the XSKMAP, with struct
// nf_xsk_meta in front); every other packet is dropped after counting.
//
// What the kernel does in a test run: bpf_redirect_map on a queue with no
// socket returns the flags' fallback action (0, XDP_ABORTED, with our
// flags), so the program sees the miss, copies the payload to the ring and
// drops the frame. With a socket in the map the test run returns
// XDP_REDIRECT and hands back the frame with its metadata, without carrying
// the redirect out; an unbound AF_XDP socket is enough to stand in the map.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "CaptureReplay.h"
#include "FrameList.h"
#include "KernelTestEnv.h"
#include "BpfHelpers.h"
#include "ProgramTestRun.h"
#include "ReplayChecks.h"
#include "payload_budget.h"
#include "kernel/BpfStats.h"
#include "kernel/EventRing.h"
#include "kernel/KernelError.h"
#include "support/PacketBuilder.h"

namespace nftest {
namespace {

constexpr uint32_t kTcActUnspec = 0xFFFFFFFF;  // TC_ACT_UNSPEC (-1) as the test run reports it

class TapModeTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (geteuid() != 0)
            return;
        netflow::CountingConfig config = testConfig(1 << 17, Filtering::Default);
        config.capture_mode = NF_CAPTURE_TAP;
        try {
            programs_ = loadTestPrograms(config).release();
        } catch (const netflow::KernelError &e) {
            load_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        delete programs_;
        programs_ = nullptr;
    }
    void SetUp() override {
        NF_REQUIRE_ROOT();
        ASSERT_NE(programs_, nullptr) << "loading the tap programs as root: " << load_error_;
        ASSERT_EQ(resetKernelState(*programs_), "");
        ASSERT_TRUE(programs_->unregisterXsk(0));
        auto s = netflow::BpfStats(programs_->statsMapFd()).read();
        ASSERT_TRUE(s) << s.error();
        before_ = s.value();
    }
    void TearDown() override {
        if (programs_)
            (void)programs_->unregisterXsk(0);
    }

    // This test's share of a statistic.
    uint64_t stat(int index) {
        auto s = netflow::BpfStats(programs_->statsMapFd()).read();
        EXPECT_TRUE(s) << s.error();
        return s ? s.value().counters[index] - before_.counters[index] : 0;
    }

    struct Run {
        uint32_t verdict;
        std::vector<uint8_t> out;  // from data_meta on
    };
    Run run(const PacketBuilder &b, uint64_t time_us, int prog_fd = -1) {
        Frame f = b.build();
        programs_->setTestClock(time_us);
        Run r{};
        TestRunResult t = testRun(prog_fd < 0 ? programs_->xdpProgramFd() : prog_fd,
                                  std::span<const uint8_t>(f.bytes.data(), f.caplen), &r.out);
        EXPECT_EQ(t.err, 0);
        r.verdict = t.retval;
        return r;
    }

    // The payload records on the ring now.
    std::vector<nf_rec_payload> copies() {
        struct Collect : netflow::EventHandler {
            void onFlowEnded(const nf_rec_flow_ended &) override {}
            void onUnmappedPacket(const nf_rec_packet &) override {}
            void onPayload(const nf_rec_payload &rec, const nf_packet &,
                           std::span<const uint8_t>) override {
                got.push_back(rec);
            }
            std::vector<nf_rec_payload> got;
        } collect;
        netflow::EventRing ring(programs_->eventsMapFd(), collect);
        ring.addRing(programs_->payloadMapFd());
        EXPECT_TRUE(ring.consume());
        return collect.got;
    }

    // with_socket: an AF_XDP socket is registered for queue 0, the only
    // queue a test run has.
    ReplayTotals replayAll(const std::vector<std::string> &captures, bool with_socket) {
        ReplayTotals totals;
        CaptureReplay replay(*programs_, sharedClassifier());
        for (const std::string &capture : captures) {
            ReplayResult r = replay.run(capture, Hook::Xdp);
            bool ok = expectSameAsOffline(capture, r);
            // Every frame the test run took: redirected exactly when the
            // offline path handed its payload over, dropped otherwise.
            std::vector<bool> handed(r.verdicts.size(), false);
            for (const OfflineHandoff &h : r.handoffs)
                handed[h.frame] = true;
            for (size_t i = 0; i < r.verdicts.size(); i++) {
                if (!r.verdicts[i])
                    continue;
                const uint32_t expected = handed[i] && with_socket ? kXdpRedirect : kXdpDrop;
                if (*r.verdicts[i] != expected) {
                    ADD_FAILURE() << capture << ": frame " << i << ": verdict " << *r.verdicts[i]
                                  << ", expected " << expected;
                    ok = false;
                }
                verdicts[*r.verdicts[i]]++;
            }
            for (const XskFrame &x : r.xsk_frames)
                unchanged_frames += x.unchanged;
            totals.add(r, ok);
        }
        return totals;
    }

    std::map<uint32_t, uint64_t> verdicts;
    uint64_t unchanged_frames = 0;
    nf_kern_stats before_{};
    static netflow::CountingPrograms *programs_;
    static std::string load_error_;
};

netflow::CountingPrograms *TapModeTest::programs_ = nullptr;
std::string TapModeTest::load_error_;

PacketBuilder dnsQuery() {
    return PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").UDP(40000, 53).Payload("query");
}

TEST_F(TapModeTest, FramesWithNoWantedPayloadAreDroppedAfterCounting) {
    const PacketBuilder frames[] = {
        PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)),  // ARP
        PacketBuilder().Eth().IPv6("fd00::1", "fd00::2").UDP(1, 2).Payload("x"),  // filtered
        PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").TCP(40000, 80, kSyn),  // no payload
        PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").TCP(40000, 80, kAck),  // no payload
    };
    uint64_t t = kT0;
    for (const PacketBuilder &b : frames)
        EXPECT_EQ(run(b, t += 1000).verdict, kXdpDrop);
    EXPECT_EQ(stat(NF_STAT_SEEN), 4u);
    EXPECT_EQ(stat(NF_STAT_COUNTED), 2u) << "counted, then dropped";
    EXPECT_EQ(stat(NF_STAT_PAYLOAD_WANTED), 0u);
    EXPECT_TRUE(copies().empty());
}

TEST_F(TapModeTest, WithoutASocketWantedPayloadIsCopiedAndTheFrameDropped) {
    Run r = run(dnsQuery(), kT0);
    EXPECT_EQ(r.verdict, kXdpDrop);
    auto got = copies();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].want, NF_WANT_DPI | NF_WANT_APP);
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECT_FAILED), 1u);
    EXPECT_EQ(stat(NF_STAT_PAYLOAD_COPIED), 1u);
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECTED), 0u);
}

TEST_F(TapModeTest, WithASocketWantedPayloadIsRedirectedWithItsMetadata) {
    XdpSocket xsk;
    ASSERT_GE(xsk.fd(), 0) << "an AF_XDP socket: " << std::strerror(errno);
    ASSERT_TRUE(programs_->registerXsk(0, xsk.fd()));

    const Frame frame = dnsQuery().build();
    Run r = run(dnsQuery(), kT0 + 5);
    ASSERT_EQ(r.verdict, kXdpRedirect);
    ASSERT_EQ(r.out.size(), sizeof(nf_xsk_meta) + frame.caplen);
    nf_xsk_meta meta;
    std::memcpy(&meta, r.out.data(), sizeof(meta));
    EXPECT_EQ(meta.magic, NF_XSK_META_MAGIC);
    EXPECT_EQ(meta.time_us, kT0 + 5);
    EXPECT_EQ(meta.flow_first_us, kT0 + 5);
    EXPECT_EQ(meta.payload_index, 1u);
    EXPECT_EQ(meta.want, NF_WANT_DPI | NF_WANT_APP);
    EXPECT_EQ(meta.dir, NF_DIR_IN);
    EXPECT_TRUE(std::equal(frame.bytes.begin(), frame.bytes.begin() + frame.caplen,
                           r.out.begin() + sizeof(meta)))
        << "the frame itself is untouched";
    EXPECT_TRUE(copies().empty());
    EXPECT_EQ(
        run(PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").TCP(1, 2, kSyn), kT0 + 6).verdict,
        kXdpDrop)
        << "no payload: dropped, socket or not";

    // Without the socket again, the next one falls back to the ring.
    ASSERT_TRUE(programs_->unregisterXsk(0));
    EXPECT_EQ(run(dnsQuery(), kT0 + 7).verdict, kXdpDrop);
    EXPECT_EQ(copies().size(), 1u);
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECTED), 1u);
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECT_FAILED), 1u);
    EXPECT_EQ(stat(NF_STAT_PAYLOAD_WANTED), 2u);
}

TEST_F(TapModeTest, TcIsNotTapped) {
    // TC is not attached in tap mode; loaded with the same knobs it still
    // passes every packet and copies what is wanted, as in host capture.
    EXPECT_EQ(run(dnsQuery(), kT0, programs_->tcProgramFd()).verdict, kTcActUnspec);
    EXPECT_EQ(copies().size(), 1u);
}

TEST_F(TapModeTest, GoldenAndCorpusWithoutASocketCopyWhatTheOfflinePathHandsOver) {
    ReplayTotals t = replayAll(goldenAndCorpusCaptures(), false);
    std::printf("%s; verdicts: %llu XDP_DROP, %llu XDP_REDIRECT\n",
                t.summary("tap XDP, no AF_XDP socket, golden + corpus", Hook::Xdp).c_str(),
                static_cast<unsigned long long>(verdicts[kXdpDrop]),
                static_cast<unsigned long long>(verdicts[kXdpRedirect]));
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_EQ(verdicts[kXdpDrop], t.frames.run) << "every frame dropped";
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECT_FAILED), stat(NF_STAT_PAYLOAD_WANTED));
    EXPECT_EQ(stat(NF_STAT_PAYLOAD_COPIED), t.copies);
    EXPECT_GT(t.handoffs, 10000u);
}

TEST_F(TapModeTest, GoldenAndCorpusWithASocketRedirectWhatTheOfflinePathHandsOver) {
    XdpSocket xsk;
    ASSERT_GE(xsk.fd(), 0) << "an AF_XDP socket: " << std::strerror(errno);
    ASSERT_TRUE(programs_->registerXsk(0, xsk.fd()));
    ReplayTotals t = replayAll(goldenAndCorpusCaptures(), true);
    std::printf("%s; verdicts: %llu XDP_DROP, %llu XDP_REDIRECT (%llu frames untouched)\n",
                t.summary("tap XDP, AF_XDP socket on queue 0, golden + corpus", Hook::Xdp).c_str(),
                static_cast<unsigned long long>(verdicts[kXdpDrop]),
                static_cast<unsigned long long>(verdicts[kXdpRedirect]),
                static_cast<unsigned long long>(unchanged_frames));
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_EQ(verdicts[kXdpRedirect], t.handoffs);
    EXPECT_EQ(t.redirected, t.handoffs);
    EXPECT_EQ(t.copies, 0u);
    EXPECT_EQ(verdicts[kXdpDrop] + verdicts[kXdpRedirect], t.frames.run);
    EXPECT_EQ(unchanged_frames, t.redirected) << "redirected frames are the frames received";
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECTED), stat(NF_STAT_PAYLOAD_WANTED));
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECT_FAILED), 0u);
    EXPECT_EQ(stat(NF_STAT_PAYLOAD_COPIED), 0u);
    EXPECT_GT(t.dpi_done_marks, 1000u) << "marked from the AF_XDP metadata";
}

}  // namespace
}  // namespace nftest

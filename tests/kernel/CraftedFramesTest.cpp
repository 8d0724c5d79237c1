// Hand-built frames for what the captures rarely or never show: a SYN that
// restarts an ended TCP flow within the 1 s linger, the linger after an
// RST, idle and active timeouts to the microsecond, a capture going back in
// time (also past a filtered frame), and one frame of every kind the parser
// sorts (VLAN, ICMP, fragments, truncated, malformed, not IP, too short).
// Each goes through the XDP and the TC program and the offline path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "CaptureReplay.h"
#include "FrameList.h"
#include "KernelTestEnv.h"
#include "ReplayChecks.h"
#include "support/PacketBuilder.h"

namespace nftest {
namespace {

PacketBuilder client(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, flags);
}
PacketBuilder server(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").TCP(80, 40000, flags);
}
PacketBuilder udp() {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.9.9.9").UDP(1000, 2000);
}

class CraftedFramesTest : public SharedProgramsTest {
  protected:
    // Both programs; returns the XDP run for scenario-specific checks
    // (and the TC run in *tc_out).
    ReplayResult replayBoth(const std::string &name, const Frames &frames,
                            ReplayResult *tc_out = nullptr) {
        CaptureReplay replay(*programs_, sharedClassifier());
        ReplayResult tc = replay.run(frames.get(), Hook::Tc);
        expectSameAsOffline(name + " (TC)", tc);
        ReplayResult xdp = replay.run(frames.get(), Hook::Xdp);
        expectSameAsOffline(name + " (XDP)", xdp);
        if (tc_out)
            *tc_out = std::move(tc);
        return xdp;
    }
};

TEST_F(CraftedFramesTest, SynRestartsAnEndedFlowWithinTheLinger) {
    Frames f;
    f.add(client(kSyn).Seq(100), kT0)
        .add(server(kSyn | kAck).Seq(500), kT0 + 1000)
        .add(client(kAck).Seq(101).Payload("GET /"), kT0 + 2000)
        .add(client(kFin | kAck).Seq(106), kT0 + 3000)
        .add(server(kFin | kAck).Seq(501), kT0 + 4000)
        .add(client(kAck).Seq(107), kT0 + 5000)
        .add(client(kSyn).Seq(9000), kT0 + 500'000)  // 0.5 s later: a new flow at once
        .add(server(kSyn | kAck).Seq(7000), kT0 + 501'000);
    ReplayResult r = replayBoth("SYN restart", f);
    EXPECT_EQ(r.ended_records, 1u) << "the SYN ended the first flow in the kernel";
    EXPECT_EQ(r.kernel_flows.size(), 2u);
}

TEST_F(CraftedFramesTest, LingerAfterRstIsExtendedByLatePackets) {
    Frames f;
    f.add(client(kSyn), kT0)
        .add(server(kRst | kAck), kT0 + 1 * kSec)
        .add(client(kAck), kT0 + 2 * kSec)       // exactly 1 s after the RST: counts
        .add(client(kAck), kT0 + 3 * kSec)       // 1 s after that: still counts
        .add(client(kAck), kT0 + 4 * kSec + 1);  // 1 s + 1 µs: a new flow
    ReplayResult r = replayBoth("RST linger", f);
    EXPECT_EQ(r.ended_records, 1u);
}

TEST_F(CraftedFramesTest, IdleAndActiveTimeoutsToTheMicrosecond) {
    Frames idle;
    idle.add(udp(), kT0)
        .add(udp(), kT0 + 30 * kSec)       // exactly idle: joins
        .add(udp(), kT0 + 60 * kSec + 1);  // 1 µs more: a new flow
    EXPECT_EQ(replayBoth("idle timeout", idle).ended_records, 1u);

    Frames active;
    for (uint64_t s = 0; s <= 120; s += 10)
        active.add(udp(), kT0 + s * kSec);    // 120 s after the first: joins
    active.add(udp(), kT0 + 120 * kSec + 1);  // 1 µs more: a new flow
    EXPECT_EQ(replayBoth("active timeout", active).ended_records, 1u);
}

TEST_F(CraftedFramesTest, TimeThatGoesBackTakesTheLatestCountedTime) {
    Frames f;
    f.add(udp(), kT0 + 10 * kSec)
        .add(udp(), kT0 + 5 * kSec)  // back in time: counted at 10 s
        // A frame outside the filter does not move the clock, even far ahead.
        .add(PacketBuilder().Eth().IPv6("fd00::1", "fd00::2").UDP(1, 2), kT0 + 100 * kSec)
        .add(udp(), kT0 + 39 * kSec)       // 29 s after 10 s: joins
        .add(udp(), kT0 + 20 * kSec)       // back: counted at 39 s
        .add(udp(), kT0 + 69 * kSec + 1);  // 30 s + 1 µs after 39 s: a new flow
    ReplayResult r = replayBoth("time going back", f);
    EXPECT_EQ(r.ended_records, 1u);
    ASSERT_EQ(r.kernel_flows.size(), 2u);
    EXPECT_EQ(r.kernel_flows[0].state.last_us, kT0 + 39 * kSec);
}

TEST_F(CraftedFramesTest, EveryKindOfFrame) {
    Frames f;
    uint64_t t = kT0;
    auto next = [&t] { return t += 1000; };
    f.add(PacketBuilder().Eth().Vlan(42).Vlan(7).IPv4("10.1.0.1", "10.1.0.2").UDP(53, 5353), next())
        .add(PacketBuilder().Eth().IPv4("10.2.0.1", "10.2.0.2").ICMP(8, 0), next())
        .add(PacketBuilder().Eth().IPv4("10.2.0.2", "10.2.0.1").ICMP(0, 0), next())
        .add(PacketBuilder()
                 .Eth()
                 .IPv4("10.3.0.1", "10.3.0.2")
                 .Ipv4Fragment(0, true)
                 .UDP(1, 2)
                 .PayloadSize(64),
             next())
        .add(PacketBuilder()
                 .Eth()
                 .IPv4("10.3.0.1", "10.3.0.2")
                 .Ipv4Fragment(10, false)
                 .UDP(1, 2)
                 .PayloadSize(64),
             next())
        .add(server(kSyn | kAck), next())  // a first SYN-ACK: src is the client
        .add(client(kAck).Payload("x"), next())
        .add(PacketBuilder().Eth().IPv4("10.4.0.1", "10.4.0.2").TCP(1, 2).Snap(14 + 30),
             next())  // TCP header cut off: ports 0/0
        .add(PacketBuilder().Eth().IPv4("10.4.0.1", "10.4.0.2").UDP(1, 2).Snap(14 + 12),
             next())  // IP header cut off: truncated
        .add(PacketBuilder().Eth().IPv4("10.4.0.1", "10.4.0.2").Ipv4Ihl(4).UDP(1, 2),
             next())  // malformed
        .add(PacketBuilder().Eth().IPv4("10.5.0.1", "10.5.0.2").UDP(1, 2).Pad(30),
             next())  // Ethernet padding is not counted
        .add(PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)), next())
        .add(PacketBuilder().Eth().IPv6("fd00::1", "fd00::2").TCP(1, 2), next())
        .addRaw(std::vector<uint8_t>(14, 0), next())   // Ethernet only: XDP runs it, TC not
        .addRaw(std::vector<uint8_t>(13, 0), next());  // shorter than Ethernet: neither
    ReplayResult tc;
    ReplayResult r = replayBoth("every kind of frame", f, &tc);
    // TC's test run also refuses the cut IPv4 header (ProgramTestRun.h).
    EXPECT_EQ(tc.frames.too_short, 2u);
    EXPECT_EQ(r.frames.too_short, 1u);
    EXPECT_EQ(r.frames.run, f.get().size() - 1);
    EXPECT_EQ(r.kernel_stats.counters[NF_STAT_TRUNCATED], 1u);
    EXPECT_EQ(r.kernel_stats.counters[NF_STAT_MALFORMED], 1u);
    // The default filter is `ip and ...`: frames with no IP header fail it
    // as the offline path counts them (nf_unparsed_bucket).
    EXPECT_EQ(r.kernel_stats.counters[NF_STAT_NOT_IP], 0u);
    EXPECT_EQ(r.kernel_stats.counters[NF_STAT_FILTERED_OUT], 3u);  // ARP, bare Ethernet, IPv6
}

}  // namespace
}  // namespace nftest

// docs/spec/FEATURES.md "TCP end": a flow ends with an RST from either side, or a FIN
// from each side. Late packets within 1 s (t - last, strict, µs) still count
// and extend the wait. A SYN without ACK for an ended flow exports it at
// once and starts a new flow.
#include <gtest/gtest.h>

#include <cstdint>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kFin;
using nftest::kRst;
using nftest::kSec;
using nftest::kSyn;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

PacketBuilder client(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, flags);
}
PacketBuilder server(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").TCP(80, 40000, flags);
}

TEST(TcpEnd, RstThenLatePacketsWithinOneSecondCount) {
    MeterHarness h;
    h.feed(client(kSyn), kT0);
    h.feed(server(kRst | kAck), kT0 + 1 * kSec);
    h.feed(client(kAck), kT0 + 2 * kSec);  // exactly 1 s after the RST: counts
    h.feed(client(kAck), kT0 + 3 * kSec);  // 1 s after that: the wait was extended
    EXPECT_EQ(h.rows().size(), 0u);
    h.feed(client(kAck), kT0 + 4 * kSec + 1);  // 1 s + 1 µs: a new flow
    ASSERT_EQ(h.rows().size(), 1u);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "3");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[1].at("FLOW_START_MILLISECONDS"), std::to_string(kT0 / 1000 + 4000));
}

TEST(TcpEnd, RstFromTheClientEndsToo) {
    MeterHarness h;
    h.feed(client(kAck), kT0);
    h.feed(client(kRst), kT0 + 1000);
    h.feed(server(kAck), kT0 + 1000 + kSec + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "0");
    // The new flow's first packet is the server's: it is src now.
    EXPECT_EQ(rows[1].at("IPV4_SRC_ADDR"), "10.0.0.2");
}

TEST(TcpEnd, FinFromOneSideDoesNotEnd) {
    MeterHarness h;
    h.feed(client(kAck), kT0);
    h.feed(client(kFin | kAck), kT0 + 1000);
    h.feed(client(kFin | kAck), kT0 + 2000);  // same side again: still open
    h.feed(server(kAck), kT0 + 10 * kSec);    // 10 s later: joins (idle 30 s)
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "3");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
}

TEST(TcpEnd, FinFromEachSideEnds) {
    MeterHarness h;
    h.feed(client(kAck), kT0);
    h.feed(client(kFin | kAck), kT0 + 1000);
    h.feed(server(kFin | kAck), kT0 + 2000);
    h.feed(client(kAck), kT0 + 2000 + kSec);                // late ACK, exactly 1 s: counts
    h.feed(client(kAck), kT0 + 2000 + 2 * kSec + 500'000);  // 1.5 s after it: new flow
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "3");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
    EXPECT_EQ(rows[0].at("TCP_FLAGS"), "17");  // FIN 0x01 | ACK 0x10
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
}

TEST(TcpEnd, SynOnAnEndedFlowStartsANewFlowAtOnce) {
    MeterHarness h;
    h.feed(client(kSyn), kT0);
    h.feed(server(kSyn | kAck), kT0 + 1000);
    h.feed(client(kAck), kT0 + 2000);
    h.feed(client(kFin | kAck), kT0 + 1 * kSec);
    h.feed(server(kFin | kAck), kT0 + 1 * kSec + 100'000);
    h.feed(client(kAck), kT0 + 1 * kSec + 200'000);
    h.feed(client(kSyn), kT0 + 1 * kSec + 500'000);  // within 1 s, port reused
    ASSERT_EQ(h.rows().size(), 1u);                  // exported at once, before the SYN counts
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "4");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "2");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[1].at("OUT_PKTS"), "0");
    EXPECT_EQ(rows[1].at("CLIENT_TCP_FLAGS"), "2");
    // (kT0 + 1'500'000 µs) / 1000
    EXPECT_EQ(rows[1].at("FLOW_START_MILLISECONDS"), std::to_string(kT0 / 1000 + 1500));
}

TEST(TcpEnd, SynFromTheOtherSideRestartsWithThatSideAsSrc) {
    MeterHarness h;
    h.feed(client(kAck), kT0);
    h.feed(server(kRst), kT0 + 1000);
    h.feed(server(kSyn), kT0 + 2000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].at("IPV4_SRC_ADDR"), "10.0.0.2");
    EXPECT_EQ(rows[1].at("L4_SRC_PORT"), "80");
}

TEST(TcpEnd, SynAckOnAnEndedFlowIsJustALatePacket) {
    MeterHarness h;
    h.feed(client(kAck), kT0);
    h.feed(client(kRst), kT0 + 1000);
    h.feed(server(kSyn | kAck), kT0 + 2000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
}

TEST(TcpEnd, SynOnAnOpenFlowJoinsIt) {
    MeterHarness h;
    h.feed(client(kSyn), kT0);
    h.feed(client(kSyn), kT0 + 1 * kSec);  // a retransmitted SYN
    h.feed(client(kFin), kT0 + 2 * kSec);
    h.feed(client(kSyn), kT0 + 3 * kSec);  // a FIN from one side only
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "4");
}

TEST(TcpEnd, UdpHasNoEnd) {
    // A UDP packet whose bytes would be TCP flags changes nothing: 0.5 s and
    // 5 s later packets still join.
    MeterHarness h;
    PacketBuilder u = PacketBuilder()
                          .Eth()
                          .IPv4("10.0.0.1", "10.0.0.2")
                          .UDP(1, 2)
                          .Payload(std::vector<uint8_t>(20, kRst | kFin));
    h.feed(u, kT0);
    h.feed(u, kT0 + 5 * kSec);
    EXPECT_EQ(h.flush().size(), 1u);
}

}  // namespace

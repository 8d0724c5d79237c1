// Truncated captures through the flow engine (docs/spec/FEATURES.md "Malformed and
// truncated packets", "Packet length"): no full IP header -> not counted;
// L4 header not captured -> counted with ports 0/0; lengths always from the
// IP header; Ethernet padding never counts.
#include <gtest/gtest.h>

#include "support/FlowHarness.h"

namespace {

using netflow::PacketDecoder;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

TEST(Truncation, IpHeaderNotCapturedIsNotCounted) {
    MeterHarness h;
    EXPECT_EQ(
        h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2).Snap(14 + 19), kT0),
        PacketDecoder::Outcome::Truncated);
    EXPECT_EQ(h.flush().size(), 0u);
}

TEST(Truncation, TcpHeaderNotCapturedCountsWithPortsZero) {
    MeterHarness h;
    // Full SYN opens the 40000 -> 80 flow; then a 540-byte segment of which
    // only 10 TCP header bytes were captured.
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, nftest::kSyn), kT0);
    EXPECT_EQ(h.feed(PacketBuilder()
                         .Eth()
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .TCP(40000, 80, nftest::kAck | nftest::kFin)
                         .PayloadSize(500)
                         .Snap(14 + 20 + 10),
                     kT0 + 1),
              PacketDecoder::Outcome::Packet);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "40000");
    EXPECT_EQ(rows[0].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[1].at("L4_SRC_PORT"), "0");
    EXPECT_EQ(rows[1].at("L4_DST_PORT"), "0");
    EXPECT_EQ(rows[1].at("PROTOCOL"), "6");
    EXPECT_EQ(rows[1].at("IN_BYTES"), "540");  // 20 + 20 + 500 from the header
    EXPECT_EQ(rows[1].at("TCP_FLAGS"), "0");   // the flags were not captured
}

TEST(Truncation, UdpHeaderNotCapturedCountsWithPortsZero) {
    MeterHarness h;
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .UDP(53, 53)
               .PayloadSize(30)
               .Snap(14 + 20 + 7),
           kT0);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "0");
    EXPECT_EQ(rows[0].at("PROTOCOL"), "17");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "58");  // 20 + 8 + 30
}

TEST(Truncation, LengthsComeFromTheIpHeader) {
    MeterHarness h;
    // 1500-byte IP packets captured with a 96-byte snap length.
    for (int i = 0; i < 3; i++)
        h.feed(PacketBuilder()
                   .Eth()
                   .IPv4("10.0.0.1", "10.0.0.2")
                   .TCP(40000, 80, nftest::kAck)
                   .Seq(1000u + 1460u * i)
                   .PayloadSize(1460)
                   .Snap(96),
               kT0 + i);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_BYTES"), "4500");
    EXPECT_EQ(rows[0].at("LONGEST_FLOW_PKT"), "1500");
    EXPECT_EQ(rows[0].at("NUM_PKTS_1024_TO_1514_BYTES"), "3");
    EXPECT_EQ(rows[0].at("NUM_PKTS_UP_TO_128_BYTES"), "0");
    // Sequence ends 2460, 3920, 5380: in order, payload length from the header.
    EXPECT_EQ(rows[0].at("RETRANSMITTED_IN_PKTS"), "0");
}

TEST(Truncation, EthernetPaddingNeverCounts) {
    MeterHarness h;
    // 40-byte ACKs padded to the 60-byte Ethernet minimum.
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, nftest::kAck).Pad(6),
           kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").TCP(80, 40000, nftest::kAck).Pad(6),
           kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_BYTES"), "40");
    EXPECT_EQ(rows[0].at("OUT_BYTES"), "40");
    EXPECT_EQ(rows[0].at("SHORTEST_FLOW_PKT"), "40");
    EXPECT_EQ(rows[0].at("LONGEST_FLOW_PKT"), "40");
}

TEST(Truncation, MalformedIsNotCounted) {
    MeterHarness h;
    EXPECT_EQ(
        h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").IpLengthField(12).UDP(1, 2), kT0),
        PacketDecoder::Outcome::Malformed);
    EXPECT_EQ(
        h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").VersionNibble(5).UDP(1, 2), kT0),
        PacketDecoder::Outcome::Malformed);
    EXPECT_EQ(h.flush().size(), 0u);
}

}  // namespace

// VLANs (docs/spec/FEATURES.md "Key", "Default filter", "Packet length"): the outer
// VLAN ID (0 untagged) is part of the flow key, inner QinQ tags are not;
// tagged traffic passes the default filter; tags never count in lengths.
#include <gtest/gtest.h>

#include "support/FlowHarness.h"

namespace {

using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

TEST(Vlan, SameConversationOnTwoVlansIsTwoFlows) {
    MeterHarness h;
    h.feed(
        PacketBuilder().Eth().Vlan(10).IPv4("10.0.0.1", "10.0.0.2").UDP(1000, 53).PayloadSize(12),
        kT0);
    h.feed(
        PacketBuilder().Eth().Vlan(20).IPv4("10.0.0.1", "10.0.0.2").UDP(1000, 53).PayloadSize(12),
        kT0 + 1);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1000, 53).PayloadSize(12),
           kT0 + 2);
    h.feed(
        PacketBuilder().Eth().Vlan(10).IPv4("10.0.0.2", "10.0.0.1").UDP(53, 1000).PayloadSize(40),
        kT0 + 3);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 3u);
    // VLAN 10: the query and its reply.
    EXPECT_EQ(rows[0].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "40");   // 20 + 8 + 12: no tag, no Ethernet
    EXPECT_EQ(rows[0].at("OUT_BYTES"), "68");  // 20 + 8 + 40
    EXPECT_EQ(rows[1].at("OUT_PKTS"), "0");
    EXPECT_EQ(rows[2].at("OUT_PKTS"), "0");
}

TEST(Vlan, QinqUsesTheOuterTagOnly) {
    MeterHarness h;
    // Outer 100 (802.1ad), inner 200 and 300: one flow. Outer 101: another.
    h.feed(PacketBuilder()
               .Eth()
               .Vlan(100, 0x88A8)
               .Vlan(200)
               .IPv4("10.0.0.1", "10.0.0.2")
               .TCP(1, 2, nftest::kSyn),
           kT0);
    h.feed(PacketBuilder()
               .Eth()
               .Vlan(100, 0x88A8)
               .Vlan(300)
               .IPv4("10.0.0.2", "10.0.0.1")
               .TCP(2, 1, nftest::kSyn | nftest::kAck),
           kT0 + 1);
    h.feed(PacketBuilder()
               .Eth()
               .Vlan(101, 0x88A8)
               .Vlan(200)
               .IPv4("10.0.0.1", "10.0.0.2")
               .TCP(1, 2, nftest::kAck),
           kT0 + 2);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "40");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
}

TEST(Vlan, PriorityBitsAreNotTheVid) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().Vlan(42, 0x8100, 0).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2), kT0);
    h.feed(PacketBuilder().Eth().Vlan(42, 0x8100, 5).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2),
           kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
}

TEST(Vlan, TaggedFramesPassTheDefaultFilterButNotTaggedIpv6) {
    MeterHarness h;
    EXPECT_EQ(
        h.feed(PacketBuilder().Eth().Vlan(7).Vlan(8).IPv4("10.0.0.1", "10.0.0.2").ICMP(8, 0), kT0),
        netflow::PacketDecoder::Outcome::Packet);
    EXPECT_EQ(
        h.feed(PacketBuilder().Eth().Vlan(7).IPv6("2001:db8::1", "2001:db8::2").UDP(1, 2), kT0 + 1),
        netflow::PacketDecoder::Outcome::FilteredOut);
    EXPECT_EQ(h.flush().size(), 1u);
}

}  // namespace

namespace {

// The parser skips up to NF_VLAN_MAX_DEPTH (8) stacked tags; four here.

TEST(Vlan, FourTagsAreSkipped) {
    // docs/spec/FEATURES.md "Default filter": IPv4 with TCP, UDP or ICMP "after any
    // VLAN tags". Four stacked tags, outer VID 1.
    nftest::MeterHarness h;
    EXPECT_EQ(h.feed(nftest::PacketBuilder()
                         .Eth()
                         .Vlan(1, 0x88A8)
                         .Vlan(2)
                         .Vlan(3)
                         .Vlan(4)
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .UDP(1, 2),
                     nftest::kT0),
              netflow::PacketDecoder::Outcome::Packet);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_BYTES"), "28");
}

TEST(Vlan, ThreeTagsAreSkipped) {
    nftest::MeterHarness h;
    EXPECT_EQ(h.feed(nftest::PacketBuilder()
                         .Eth()
                         .Vlan(1, 0x88A8)
                         .Vlan(2)
                         .Vlan(3)
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .UDP(1, 2),
                     nftest::kT0),
              netflow::PacketDecoder::Outcome::Packet);
    EXPECT_EQ(h.flush().size(), 1u);
}

}  // namespace

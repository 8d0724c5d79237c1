// PacketDecoder: the default filter (docs/spec/FEATURES.md "Default filter": IPv4 with
// TCP, UDP or ICMP after any VLAN tags, on the decoded packet), a user
// --filter with libpcap's semantics on the frame, and the outcomes of
// truncated and malformed packets.
#include <gtest/gtest.h>

#include <pcap/dlt.h>

#include "support/FlowHarness.h"
#include "filter/BpfFilter.h"

namespace {

using netflow::BpfFilter;
using Outcome = netflow::PacketDecoder::Outcome;
using nftest::decode;
using nftest::PacketBuilder;

PacketBuilder v4() {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2");
}

TEST(DefaultFilter, KeepsIpv4TcpUdpIcmp) {
    EXPECT_EQ(decode(v4().TCP(1, 2).build()).outcome, Outcome::Packet);
    EXPECT_EQ(decode(v4().UDP(1, 2).build()).outcome, Outcome::Packet);
    EXPECT_EQ(decode(v4().ICMP(8, 0).build()).outcome, Outcome::Packet);
}

TEST(DefaultFilter, KeepsTaggedTraffic) {
    auto one =
        decode(PacketBuilder().Eth().Vlan(10).IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2).build());
    EXPECT_EQ(one.outcome, Outcome::Packet);
    EXPECT_EQ(one.pkt.vlan_id, 10);
    auto qinq = decode(PacketBuilder()
                           .Eth()
                           .Vlan(20, 0x88A8)
                           .Vlan(30)
                           .IPv4("10.0.0.1", "10.0.0.2")
                           .UDP(1, 2)
                           .build());
    EXPECT_EQ(qinq.outcome, Outcome::Packet);
    EXPECT_EQ(qinq.pkt.vlan_id, 20);
}

TEST(DefaultFilter, DropsOtherProtocolsAndIpv6) {
    EXPECT_EQ(decode(v4().NextProto(47).PayloadSize(24).build()).outcome, Outcome::FilteredOut);
    EXPECT_EQ(decode(v4().NextProto(132).PayloadSize(24).build()).outcome, Outcome::FilteredOut);
    EXPECT_EQ(
        decode(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").TCP(1, 2).build()).outcome,
        Outcome::FilteredOut);
    EXPECT_EQ(decode(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").ICMP(128, 0).build())
                  .outcome,
              Outcome::FilteredOut);
}

TEST(DefaultFilter, KeepsLaterFragmentsOfTcp) {
    // `tcp` is "ip proto 6": every fragment has it.
    EXPECT_EQ(decode(v4().Ipv4Fragment(100, false).NextProto(6).PayloadSize(80).build()).outcome,
              Outcome::Packet);
}

TEST(DefaultFilter, ArpIsFilteredOut) {
    // ARP does not pass `ip and (tcp or udp or icmp)`; the "not IP" bucket is
    // for frames that passed the filter (docs/spec/FEATURES.md: "anything else that
    // passes it (ARP, ...) is counted in the statistics only";
    // CaptureCounters.h: not_ip = "passed the filter, but no IPv4/IPv6").
    auto arp = PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)).build();
    EXPECT_EQ(decode(arp).outcome, Outcome::FilteredOut);
}

TEST(Decoder, TruncatedAndMalformed) {
    EXPECT_EQ(decode(v4().UDP(1, 2).Snap(14 + 12).build()).outcome, Outcome::Truncated);
    EXPECT_EQ(decode(v4().Ipv4Ihl(3).UDP(1, 2).build()).outcome, Outcome::Malformed);
}

TEST(Decoder, L3SpanIsTheCapturedBytesFromTheIpHeader) {
    // Frame 14 + 4 (tag) + 20 + 8 + 100 = 146 bytes, 100 captured: the span
    // starts at the IP header and has 100 - 18 = 82 bytes.
    nftest::Frame f = PacketBuilder()
                          .Eth()
                          .Vlan(7)
                          .IPv4("10.0.0.1", "10.0.0.2")
                          .UDP(1, 2)
                          .PayloadSize(100)
                          .Snap(100)
                          .build();
    auto d = decode(f);
    ASSERT_EQ(d.outcome, Outcome::Packet);
    EXPECT_EQ(d.l3.data(), f.data() + 18);
    EXPECT_EQ(d.l3.size(), 82u);
    EXPECT_EQ(d.pkt.ip_len, 128u);  // 20 + 8 + 100, from the header
}

TEST(UserFilter, IpDoesNotMatchATaggedFrame) {
    BpfFilter ip(DLT_EN10MB, 65535, "ip");
    BpfFilter vlan_ip(DLT_EN10MB, 65535, "vlan and ip");
    auto tagged = PacketBuilder().Eth().Vlan(10).IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2).build();
    EXPECT_EQ(decode(tagged, &ip).outcome, Outcome::FilteredOut);
    EXPECT_EQ(decode(tagged, &vlan_ip).outcome, Outcome::Packet);
    EXPECT_EQ(decode(v4().TCP(1, 2).build(), &ip).outcome, Outcome::Packet);
}

TEST(UserFilter, AnyIpPacketThatPassesFormsAFlow) {
    BpfFilter all(DLT_EN10MB, 65535, "");
    auto gre = decode(v4().NextProto(47).PayloadSize(24).build(), &all);
    EXPECT_EQ(gre.outcome, Outcome::Packet);
    EXPECT_EQ(gre.pkt.proto, 47);
    auto v6 =
        decode(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").TCP(1, 2).build(), &all);
    EXPECT_EQ(v6.outcome, Outcome::Packet);
    EXPECT_EQ(v6.pkt.ip_version, 6);
}

TEST(UserFilter, NonIpThatPassesIsCountedAsNotIp) {
    BpfFilter arp_filter(DLT_EN10MB, 65535, "arp");
    auto arp = PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)).build();
    EXPECT_EQ(decode(arp, &arp_filter).outcome, Outcome::NotIp);
    EXPECT_EQ(decode(v4().TCP(1, 2).build(), &arp_filter).outcome, Outcome::FilteredOut);
}

}  // namespace

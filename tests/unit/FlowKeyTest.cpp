// The bidirectional flow key (docs/spec/FEATURES.md "Key"): IP version, addresses,
// ports, protocol and outer VLAN; ports only for TCP and UDP.
#include <gtest/gtest.h>

#include <cstring>

#include "support/CoreParse.h"
#include "flow_key.h"

namespace {

using nftest::corePacket;
using nftest::PacketBuilder;

struct Keyed {
    nf_flow_key key{};
    int from_lo = -1;
};

Keyed keyOf(const PacketBuilder &b) {
    nf_packet pkt = corePacket(b);
    Keyed k;
    std::memset(&k.key, 0, sizeof(k.key));
    k.from_lo = nf_flow_key_from_packet(&pkt, &k.key);
    return k;
}

bool sameKey(const nf_flow_key &a, const nf_flow_key &b) {
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

PacketBuilder tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport) {
    return PacketBuilder().Eth().IPv4(src, dst).TCP(sport, dport);
}

TEST(FlowKey, BothDirectionsShareOneKey) {
    Keyed a = keyOf(tcp("10.0.0.2", 5000, "10.0.0.1", 80));
    Keyed b = keyOf(tcp("10.0.0.1", 80, "10.0.0.2", 5000));
    EXPECT_TRUE(sameKey(a.key, b.key));
    EXPECT_EQ(a.from_lo, 0);  // 10.0.0.2 > 10.0.0.1
    EXPECT_EQ(b.from_lo, 1);
    EXPECT_EQ(a.key.addr_lo[3], 1);
    EXPECT_EQ(a.key.addr_hi[3], 2);
    EXPECT_EQ(a.key.port_lo, 80);  // the port of the lo address
    EXPECT_EQ(a.key.port_hi, 5000);
    EXPECT_EQ(a.key.proto, 6);
    EXPECT_EQ(a.key.ip_version, 4);
}

TEST(FlowKey, SameAddressBothSidesIsOrderedByPort) {
    Keyed a = keyOf(tcp("10.0.0.1", 2000, "10.0.0.1", 1000));
    Keyed b = keyOf(tcp("10.0.0.1", 1000, "10.0.0.1", 2000));
    EXPECT_TRUE(sameKey(a.key, b.key));
    EXPECT_NE(a.from_lo, b.from_lo);
    EXPECT_EQ(a.key.port_lo, 1000);
}

TEST(FlowKey, ProtocolIsPartOfTheKey) {
    Keyed t = keyOf(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(53, 53));
    Keyed u = keyOf(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(53, 53));
    EXPECT_FALSE(sameKey(t.key, u.key));
}

TEST(FlowKey, OuterVlanIsPartOfTheKey) {
    Keyed a = keyOf(PacketBuilder().Eth().Vlan(10).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    Keyed b = keyOf(PacketBuilder().Eth().Vlan(11).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    Keyed untagged = keyOf(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    EXPECT_EQ(a.key.vlan_id, 10);
    EXPECT_EQ(untagged.key.vlan_id, 0);
    EXPECT_FALSE(sameKey(a.key, b.key));
    EXPECT_FALSE(sameKey(a.key, untagged.key));
    // Inner tags are not: QinQ with the same outer VID is one key.
    Keyed q1 = keyOf(
        PacketBuilder().Eth().Vlan(10, 0x88A8).Vlan(100).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    Keyed q2 = keyOf(
        PacketBuilder().Eth().Vlan(10, 0x88A8).Vlan(200).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    EXPECT_TRUE(sameKey(q1.key, q2.key));
}

TEST(FlowKey, IpVersionIsPartOfTheKey) {
    // 0a00:0001:: has the same 16 bytes as 10.0.0.1 zero-extended.
    Keyed v4 = keyOf(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    Keyed v6 = keyOf(PacketBuilder().Eth().IPv6("a00:1::", "a00:2::").UDP(1, 2));
    EXPECT_EQ(std::memcmp(v4.key.addr_lo, v6.key.addr_lo, 16), 0);
    EXPECT_FALSE(sameKey(v4.key, v6.key));
}

TEST(FlowKey, IcmpHasNoPorts) {
    // Echo request (id 7, seq 1) and reply (id 7, seq 1) from the other side,
    // and another request with id 9: all one key, ports 0/0.
    Keyed req = keyOf(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(8, 0, 7, 1));
    Keyed rep = keyOf(PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").ICMP(0, 0, 7, 1));
    Keyed other = keyOf(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(8, 0, 9, 5));
    EXPECT_EQ(req.key.port_lo, 0);
    EXPECT_EQ(req.key.port_hi, 0);
    EXPECT_TRUE(sameKey(req.key, rep.key));
    EXPECT_TRUE(sameKey(req.key, other.key));
}

TEST(FlowKey, OtherProtocolsHaveNoPorts) {
    // SCTP (132): the first 4 bytes would be ports, but only TCP/UDP have them.
    Keyed sctp =
        keyOf(PacketBuilder()
                  .Eth()
                  .IPv4("10.0.0.1", "10.0.0.2")
                  .NextProto(132)
                  .Payload(std::vector<uint8_t>{0x13, 0x88, 0x13, 0x89, 0, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(sctp.key.proto, 132);
    EXPECT_EQ(sctp.key.port_lo, 0);
    EXPECT_EQ(sctp.key.port_hi, 0);
}

TEST(FlowKey, TcpWithoutCapturedHeaderHasPortsZero) {
    Keyed k = keyOf(tcp("10.0.0.1", 1234, "10.0.0.2", 80).PayloadSize(10).Snap(14 + 20 + 10));
    EXPECT_EQ(k.key.proto, 6);
    EXPECT_EQ(k.key.port_lo, 0);
    EXPECT_EQ(k.key.port_hi, 0);
}

}  // namespace

// The counting core's parser (bpf/core/packet_parse.h) on hand-built frames:
// docs/spec/FEATURES.md "Packet length" and "Malformed and truncated packets".
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "support/CoreParse.h"

namespace {

using nftest::Frame;
using nftest::PacketBuilder;

using Parsed = nftest::CoreParsed;

Parsed parse(const Frame &f) {
    return nftest::coreParse(f);
}
Parsed parse(const PacketBuilder &b) {
    return parse(b.build());
}

TEST(Parse, Ipv4TcpFields) {
    Parsed p = parse(PacketBuilder()
                         .Eth()
                         .IPv4("10.0.0.1", "192.168.1.200")
                         .Ttl(57)
                         .TCP(1234, 80, nftest::kSyn | nftest::kAck | nftest::kPsh)
                         .Seq(0xDEADBEEF)
                         .Window(65535)
                         .PayloadSize(100));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.ethertype, NF_ETH_P_IPV4);
    EXPECT_EQ(p.pkt.ip_version, 4);
    EXPECT_EQ(p.pkt.ip_len, 140u);  // 20 IP + 20 TCP + 100
    EXPECT_EQ(p.pkt.ttl, 57);
    EXPECT_EQ(p.pkt.proto, 6);
    EXPECT_EQ(p.pkt.has_l4, 1);
    EXPECT_EQ(p.pkt.sport, 1234);
    EXPECT_EQ(p.pkt.dport, 80);
    EXPECT_EQ(p.pkt.tcp_seq, 0xDEADBEEFu);
    EXPECT_EQ(p.pkt.tcp_flags, 0x1A);  // SYN 0x02 | PSH 0x08 | ACK 0x10
    EXPECT_EQ(p.pkt.tcp_window, 65535);
    EXPECT_EQ(p.pkt.payload_offset, 40u);
    EXPECT_EQ(p.pkt.payload_len, 100u);
    EXPECT_EQ(p.pkt.payload_captured, 100u);
    EXPECT_EQ(p.pkt.later_fragment, 0);
    EXPECT_EQ(p.pkt.vlan_id, 0);
    const std::array<uint8_t, 16> src{10, 0, 0, 1}, dst{192, 168, 1, 200};
    EXPECT_TRUE(std::equal(src.begin(), src.end(), p.pkt.saddr));
    EXPECT_TRUE(std::equal(dst.begin(), dst.end(), p.pkt.daddr));
}

TEST(Parse, Ipv4OptionsMoveTheL4Header) {
    // IHL 7 (28 bytes): UDP at 28; ip_len = 28 + 8 + 10 = 46.
    Parsed p = parse(PacketBuilder()
                         .Eth()
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .Ipv4Options({0x94, 0x04, 0, 0, 1, 1, 1, 0})
                         .UDP(5353, 53)
                         .PayloadSize(10));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.ip_len, 46u);
    EXPECT_EQ(p.pkt.sport, 5353);
    EXPECT_EQ(p.pkt.dport, 53);
    EXPECT_EQ(p.pkt.payload_offset, 36u);  // 28 + 8
    EXPECT_EQ(p.pkt.payload_len, 10u);
}

TEST(Parse, TcpDataOffsetBelowFiveIsTakenAsFive) {
    for (uint8_t words : {0, 1, 4}) {
        // ip_len = 20 + 20 + 30 = 70; payload = 70 - 20 - 20 = 30.
        Parsed p = parse(PacketBuilder()
                             .Eth()
                             .IPv4("10.0.0.1", "10.0.0.2")
                             .TCP(1, 2)
                             .DataOffset(words)
                             .PayloadSize(30));
        ASSERT_EQ(p.rc, NF_PARSE_OK) << int(words);
        EXPECT_EQ(p.pkt.has_l4, 1) << int(words);
        EXPECT_EQ(p.pkt.payload_offset, 40u) << int(words);
        EXPECT_EQ(p.pkt.payload_len, 30u) << int(words);
        EXPECT_EQ(p.pkt.payload_captured, 30u) << int(words);
    }
}

TEST(Parse, TcpOptionsCountAsHeader) {
    // Data offset 8 (32 bytes); ip_len = 20 + 32 + 50 = 102; payload 50.
    Parsed p = parse(PacketBuilder()
                         .Eth()
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .TCP(1, 2)
                         .TcpOptions({1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2})
                         .PayloadSize(50));
    EXPECT_EQ(p.pkt.ip_len, 102u);
    EXPECT_EQ(p.pkt.payload_offset, 52u);
    EXPECT_EQ(p.pkt.payload_len, 50u);
}

TEST(Parse, TcpDataOffsetPastTheIpLengthLeavesNoPayload) {
    // Data offset 15 (60 bytes) but ip_len = 40: 40 - 20 - 60 < 0 -> 0.
    Parsed p = parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2).DataOffset(15));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.ip_len, 40u);
    EXPECT_EQ(p.pkt.payload_len, 0u);
    EXPECT_EQ(p.pkt.payload_captured, 0u);
}

TEST(Parse, LengthsComeFromTheIpHeaderWhenTheCaptureIsShorter) {
    // 1000 bytes of payload, only 14 + 20 + 20 + 10 = 64 bytes captured.
    Parsed p = parse(
        PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2).PayloadSize(1000).Snap(64));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.ip_len, 1040u);
    EXPECT_EQ(p.pkt.has_l4, 1);
    EXPECT_EQ(p.pkt.payload_len, 1000u);
    EXPECT_EQ(p.pkt.payload_captured, 10u);
}

TEST(Parse, EthernetPaddingIsNeverPayload) {
    // UDP with 2 payload bytes: ip_len 30, frame 44, padded to 60.
    Parsed udp = parse(PacketBuilder()
                           .Eth()
                           .IPv4("10.0.0.1", "10.0.0.2")
                           .UDP(1000, 2000)
                           .Payload("hi")
                           .Pad(16, 0xAA));
    EXPECT_EQ(udp.pkt.ip_len, 30u);
    EXPECT_EQ(udp.pkt.payload_len, 2u);
    EXPECT_EQ(udp.pkt.payload_captured, 2u);

    // A bare ACK (ip_len 40) padded to a 60-byte frame: no payload at all.
    Parsed ack = parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2).Pad(6, 0xAA));
    EXPECT_EQ(ack.pkt.ip_len, 40u);
    EXPECT_EQ(ack.pkt.payload_len, 0u);
    EXPECT_EQ(ack.pkt.payload_captured, 0u);
}

TEST(Parse, IpHeaderNotCapturedIsTruncated) {
    // 19 of the 20 IPv4 header bytes.
    EXPECT_EQ(parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2).Snap(14 + 19)).rc,
              NF_PARSE_TRUNCATED);
    // IHL 6 (24 bytes) with only 20 captured.
    EXPECT_EQ(parse(PacketBuilder()
                        .Eth()
                        .IPv4("10.0.0.1", "10.0.0.2")
                        .Ipv4Options({1, 1, 1, 0})
                        .UDP(1, 2)
                        .Snap(14 + 20))
                  .rc,
              NF_PARSE_TRUNCATED);
    // 39 of the 40 IPv6 header bytes.
    EXPECT_EQ(
        parse(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").UDP(1, 2).Snap(14 + 39)).rc,
        NF_PARSE_TRUNCATED);
}

TEST(Parse, L4HeaderNotCapturedMeansNoPorts) {
    // TCP: 19 of 20 header bytes; ip_len 20 + 20 + 60 = 100, payload 60.
    Parsed tcp = parse(PacketBuilder()
                           .Eth()
                           .IPv4("10.0.0.1", "10.0.0.2")
                           .TCP(1111, 2222, nftest::kSyn)
                           .PayloadSize(60)
                           .Snap(14 + 20 + 19));
    ASSERT_EQ(tcp.rc, NF_PARSE_OK);
    EXPECT_EQ(tcp.pkt.has_l4, 0);
    EXPECT_EQ(tcp.pkt.sport, 0);
    EXPECT_EQ(tcp.pkt.dport, 0);
    EXPECT_EQ(tcp.pkt.tcp_flags, 0);
    EXPECT_EQ(tcp.pkt.proto, 6);
    EXPECT_EQ(tcp.pkt.ip_len, 100u);
    EXPECT_EQ(tcp.pkt.payload_len, 60u);
    EXPECT_EQ(tcp.pkt.payload_captured, 0u);

    // UDP: 7 of 8 bytes; exactly 8 is enough.
    auto udp = [](uint32_t l4_bytes) {
        return parse(PacketBuilder()
                         .Eth()
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .UDP(53, 53)
                         .PayloadSize(4)
                         .Snap(14 + 20 + l4_bytes));
    };
    EXPECT_EQ(udp(7).pkt.has_l4, 0);
    EXPECT_EQ(udp(8).pkt.has_l4, 1);
    EXPECT_EQ(udp(8).pkt.sport, 53);

    // ICMP: 3 of 4 bytes; exactly 4 gives type and code.
    auto icmp = [](uint32_t l4_bytes) {
        return parse(
            PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(3, 1).Snap(14 + 20 + l4_bytes));
    };
    EXPECT_EQ(icmp(3).pkt.has_l4, 0);
    EXPECT_EQ(icmp(4).pkt.has_l4, 1);
    EXPECT_EQ(icmp(4).pkt.icmp_type, 3);
    EXPECT_EQ(icmp(4).pkt.icmp_code, 1);
}

TEST(Parse, MalformedIpHeaders) {
    // IPv4 EtherType with version 6 in the header.
    EXPECT_EQ(
        parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").VersionNibble(6).UDP(1, 2)).rc,
        NF_PARSE_MALFORMED);
    // IHL 4: a header shorter than 20 bytes.
    EXPECT_EQ(parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").Ipv4Ihl(4).UDP(1, 2)).rc,
              NF_PARSE_MALFORMED);
    // Total length 19 < IHL 20.
    EXPECT_EQ(
        parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").IpLengthField(19).UDP(1, 2)).rc,
        NF_PARSE_MALFORMED);
    // IPv6 EtherType with version 4 in the header.
    EXPECT_EQ(
        parse(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").VersionNibble(4).UDP(1, 2))
            .rc,
        NF_PARSE_MALFORMED);
}

TEST(Parse, TotalLengthShorterThanHeadersIsStillAPacket) {
    // Total length 30 = 20 IP + 10 of the TCP header: valid IP, no payload.
    Parsed p = parse(PacketBuilder()
                         .Eth()
                         .IPv4("10.0.0.1", "10.0.0.2")
                         .IpLengthField(30)
                         .TCP(1, 2)
                         .Payload("abc"));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.ip_len, 30u);
    EXPECT_EQ(p.pkt.payload_len, 0u);
    EXPECT_EQ(p.pkt.payload_captured, 0u);
}

TEST(Parse, NotIpAndCutEthernet) {
    Parsed arp = parse(PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)));
    EXPECT_EQ(arp.eth_rc, 0);
    EXPECT_EQ(arp.rc, NF_PARSE_NOT_IP);
    EXPECT_EQ(parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2).Snap(13)).eth_rc,
              -1);
}

TEST(Parse, VlanTagsOuterVidKept) {
    Parsed one =
        parse(PacketBuilder().Eth().Vlan(100, 0x8100, 7).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    ASSERT_EQ(one.rc, NF_PARSE_OK);
    EXPECT_EQ(one.pkt.vlan_id, 100);  // PCP 7 masked off
    EXPECT_EQ(one.pkt.sport, 1);

    Parsed qinq = parse(PacketBuilder()
                            .Eth()
                            .Vlan(200, 0x88A8)
                            .Vlan(300, 0x8100)
                            .IPv4("10.0.0.1", "10.0.0.2")
                            .TCP(5, 6)
                            .PayloadSize(7));
    ASSERT_EQ(qinq.rc, NF_PARSE_OK);
    EXPECT_EQ(qinq.pkt.vlan_id, 200);
    EXPECT_EQ(qinq.pkt.ip_len, 47u);  // tags never count: 20 + 20 + 7
    EXPECT_EQ(qinq.pkt.payload_len, 7u);

    Parsed old_qinq = parse(
        PacketBuilder().Eth().Vlan(4095, 0x9100).Vlan(1).IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2));
    EXPECT_EQ(old_qinq.rc, NF_PARSE_OK);
    EXPECT_EQ(old_qinq.pkt.vlan_id, 4095);

    // A tag cut off in the middle.
    EXPECT_EQ(parse(PacketBuilder().Eth().Vlan(5).IPv4("10.0.0.1", "10.0.0.2").Snap(16)).eth_rc,
              -1);
}

TEST(Parse, Ipv4Fragments) {
    // First fragment: offset 0 with MF; the L4 header is there.
    Parsed first = parse(PacketBuilder()
                             .Eth()
                             .IPv4("10.0.0.1", "10.0.0.2")
                             .Ipv4Fragment(0, true)
                             .TCP(1234, 80)
                             .PayloadSize(1460));
    EXPECT_EQ(first.pkt.later_fragment, 0);
    EXPECT_EQ(first.pkt.has_l4, 1);
    EXPECT_EQ(first.pkt.sport, 1234);

    // Later fragment, offset 185 * 8: bytes that look like a TCP header are
    // data. ip_len 20 + 100 = 120; payload = 120 - 20 = 100.
    Parsed later = parse(PacketBuilder()
                             .Eth()
                             .IPv4("10.0.0.1", "10.0.0.2")
                             .Ipv4Fragment(185, false)
                             .NextProto(6)
                             .PayloadSize(100, 0x11));
    ASSERT_EQ(later.rc, NF_PARSE_OK);
    EXPECT_EQ(later.pkt.later_fragment, 1);
    EXPECT_EQ(later.pkt.has_l4, 0);
    EXPECT_EQ(later.pkt.proto, 6);
    EXPECT_EQ(later.pkt.sport, 0);
    EXPECT_EQ(later.pkt.tcp_flags, 0);
    EXPECT_EQ(later.pkt.payload_len, 100u);

    // DF alone is not a fragment.
    Parsed df =
        parse(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").Ipv4DontFragment().UDP(7, 8));
    EXPECT_EQ(df.pkt.later_fragment, 0);
    EXPECT_EQ(df.pkt.sport, 7);
}

TEST(Parse, Ipv6Basics) {
    Parsed p = parse(PacketBuilder()
                         .Eth()
                         .IPv6("2001:db8::1", "2001:db8::2")
                         .Ttl(33)
                         .UDP(4000, 53)
                         .PayloadSize(12));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.ip_version, 6);
    EXPECT_EQ(p.pkt.ip_len, 60u);  // payload length 8 + 12 = 20, + 40
    EXPECT_EQ(p.pkt.ttl, 33);      // the hop limit
    EXPECT_EQ(p.pkt.proto, 17);
    EXPECT_EQ(p.pkt.sport, 4000);
    EXPECT_EQ(p.pkt.payload_offset, 48u);
    EXPECT_EQ(p.pkt.payload_len, 12u);
    EXPECT_EQ(p.pkt.saddr[0], 0x20);
    EXPECT_EQ(p.pkt.saddr[15], 1);
    EXPECT_EQ(p.pkt.daddr[15], 2);
}

TEST(Parse, Ipv6ExtensionHeadersAreWalked) {
    // 40 + hop-by-hop 8 + routing 16 + destination options 8 = 72 to TCP.
    // ip_len = 40 + 32 + 20 + 10 = 102; payload = 102 - 72 - 20 = 10.
    Parsed p = parse(PacketBuilder()
                         .Eth()
                         .IPv6("2001:db8::1", "2001:db8::2")
                         .Ipv6HopByHop()
                         .Ipv6Routing(1)
                         .Ipv6DestOpts()
                         .TCP(443, 50000, nftest::kAck | nftest::kPsh)
                         .PayloadSize(10));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.proto, 6);
    EXPECT_EQ(p.pkt.has_l4, 1);
    EXPECT_EQ(p.pkt.sport, 443);
    EXPECT_EQ(p.pkt.dport, 50000);
    EXPECT_EQ(p.pkt.ip_len, 102u);
    EXPECT_EQ(p.pkt.payload_offset, 92u);
    EXPECT_EQ(p.pkt.payload_len, 10u);
}

TEST(Parse, Ipv6FragmentHeader) {
    // Offset 0 (first fragment): ports are read after the 8-byte header.
    Parsed first = parse(PacketBuilder()
                             .Eth()
                             .IPv6("2001:db8::1", "2001:db8::2")
                             .Ipv6Fragment(0, true)
                             .UDP(1000, 2000)
                             .PayloadSize(40));
    EXPECT_EQ(first.pkt.later_fragment, 0);
    EXPECT_EQ(first.pkt.proto, 17);
    EXPECT_EQ(first.pkt.has_l4, 1);
    EXPECT_EQ(first.pkt.dport, 2000);

    // Offset 6 (48 bytes): no L4 header. ip_len 40 + 8 + 30 = 78, payload
    // 78 - 48 = 30.
    Parsed later = parse(PacketBuilder()
                             .Eth()
                             .IPv6("2001:db8::1", "2001:db8::2")
                             .Ipv6Fragment(6, false)
                             .NextProto(17)
                             .PayloadSize(30, 0x22));
    ASSERT_EQ(later.rc, NF_PARSE_OK);
    EXPECT_EQ(later.pkt.later_fragment, 1);
    EXPECT_EQ(later.pkt.proto, 17);
    EXPECT_EQ(later.pkt.has_l4, 0);
    EXPECT_EQ(later.pkt.sport, 0);
    EXPECT_EQ(later.pkt.ip_len, 78u);
    EXPECT_EQ(later.pkt.payload_len, 30u);
}

TEST(Parse, Icmpv6) {
    Parsed p = parse(PacketBuilder().Eth().IPv6("fe80::1", "fe80::2").ICMP(128, 0));
    ASSERT_EQ(p.rc, NF_PARSE_OK);
    EXPECT_EQ(p.pkt.proto, 58);
    EXPECT_EQ(p.pkt.has_l4, 1);
    EXPECT_EQ(p.pkt.icmp_type, 128);
    EXPECT_EQ(p.pkt.sport, 0);
}

}  // namespace

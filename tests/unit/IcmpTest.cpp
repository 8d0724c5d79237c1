// ICMP flows (docs/spec/FEATURES.md): ports 0/0, so an echo request and its reply are
// one flow; ICMP_TYPE = type * 256 + code of the flow's first ICMP/ICMPv6
// packet, ICMP_IPV4_TYPE = its type; both 0 for other flows.
#include <gtest/gtest.h>

#include "support/FlowHarness.h"

namespace {

using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

TEST(Icmp, EchoRequestAndReplyAreOneFlow) {
    MeterHarness h;
    // 56 data bytes: ip_len = 20 + 8 + 56 = 84 each.
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .Ttl(64)
               .ICMP(8, 0, 0x1234, 1)
               .PayloadSize(56),
           kT0);
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.2", "10.0.0.1")
               .Ttl(63)
               .ICMP(0, 0, 0x1234, 1)
               .PayloadSize(56),
           kT0 + 1500);
    // A second ping with another identifier: still ports 0/0, same flow.
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(8, 0, 0x9999, 7).PayloadSize(56),
           kT0 + 1'000'000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    const auto &r = rows[0];
    EXPECT_EQ(r.at("PROTOCOL"), "1");
    EXPECT_EQ(r.at("L4_SRC_PORT"), "0");
    EXPECT_EQ(r.at("L4_DST_PORT"), "0");
    EXPECT_EQ(r.at("IPV4_SRC_ADDR"), "10.0.0.1");
    EXPECT_EQ(r.at("IN_PKTS"), "2");
    EXPECT_EQ(r.at("IN_BYTES"), "168");
    EXPECT_EQ(r.at("OUT_PKTS"), "1");
    EXPECT_EQ(r.at("OUT_BYTES"), "84");
    EXPECT_EQ(r.at("ICMP_TYPE"), "2048");  // 8 * 256 + 0
    EXPECT_EQ(r.at("ICMP_IPV4_TYPE"), "8");
    EXPECT_EQ(r.at("TCP_FLAGS"), "0");
}

TEST(Icmp, TheFirstPacketDecides) {
    MeterHarness h;
    // Destination unreachable, port unreachable (3/3), then a time exceeded.
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(3, 3).PayloadSize(28), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(11, 0).PayloadSize(28), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("ICMP_TYPE"), "771");  // 3 * 256 + 3
    EXPECT_EQ(rows[0].at("ICMP_IPV4_TYPE"), "3");
}

TEST(Icmp, CodeInTheLowByte) {
    MeterHarness h;
    // Redirect for host (5/1): 5 * 256 + 1 = 1281. Parameter problem 12/2:
    // 3074 (a separate flow: other addresses).
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").ICMP(5, 1), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.3", "10.0.0.4").ICMP(12, 2), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("ICMP_TYPE"), "1281");
    EXPECT_EQ(rows[0].at("ICMP_IPV4_TYPE"), "5");
    EXPECT_EQ(rows[1].at("ICMP_TYPE"), "3074");
    EXPECT_EQ(rows[1].at("ICMP_IPV4_TYPE"), "12");
}

TEST(Icmp, Icmpv6TypeAndCode) {
    MeterHarness h(netflow::MeterConfig{}, "");  // IPv6: not in the default filter
    // Echo request 128/0 then reply 129/0: 128 * 256 = 32768.
    h.feed(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").ICMP(128, 0).PayloadSize(16),
           kT0);
    h.feed(PacketBuilder().Eth().IPv6("2001:db8::2", "2001:db8::1").ICMP(129, 0).PayloadSize(16),
           kT0 + 10);
    // Destination unreachable 1/4 (port unreachable): 256 + 4 = 260.
    h.feed(PacketBuilder().Eth().IPv6("2001:db8::3", "2001:db8::4").ICMP(1, 4), kT0 + 20);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("PROTOCOL"), "58");
    EXPECT_EQ(rows[0].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "64");  // 40 + 8 + 16
    EXPECT_EQ(rows[0].at("ICMP_TYPE"), "32768");
    EXPECT_EQ(rows[0].at("ICMP_IPV4_TYPE"), "128");
    EXPECT_EQ(rows[1].at("ICMP_TYPE"), "260");
    EXPECT_EQ(rows[1].at("ICMP_IPV4_TYPE"), "1");
}

TEST(Icmp, ZeroForOtherFlows) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(1, 2), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2), kT0 + 1);
    for (const auto &r : h.flush()) {
        EXPECT_EQ(r.at("ICMP_TYPE"), "0");
        EXPECT_EQ(r.at("ICMP_IPV4_TYPE"), "0");
    }
}

TEST(Icmp, ErrorAboutATcpFlowIsItsOwnFlow) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, nftest::kSyn), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").ICMP(3, 3).PayloadSize(28), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("PROTOCOL"), "6");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "0");
    EXPECT_EQ(rows[1].at("PROTOCOL"), "1");
    EXPECT_EQ(rows[1].at("IPV4_SRC_ADDR"), "10.0.0.2");
}

TEST(Icmp, FragmentsOfABigPingStayInTheFlow) {
    // First fragment (with the ICMP header) and a later one: ports are 0/0
    // for ICMP anyway, so both count on the one flow.
    MeterHarness h;
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .Ipv4Fragment(0, true)
               .ICMP(8, 0)
               .PayloadSize(1472),
           kT0);
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .Ipv4Fragment(185, false)
               .NextProto(1)
               .PayloadSize(528),
           kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "2048");  // (20 + 8 + 1472) + (20 + 528)
    EXPECT_EQ(rows[0].at("ICMP_TYPE"), "2048");
}

}  // namespace

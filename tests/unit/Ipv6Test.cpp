// IPv6 flows (docs/spec/FEATURES.md): length = payload length + 40 (extension headers
// included), hop limit as TTL, addresses printed in RFC 5952 form, and
// fragment headers with a non-zero offset counted with ports 0/0. IPv6 is
// outside the default filter, so these use an accept-all --filter.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

TEST(Ipv6, TcpFlowLengthsAndHopLimit) {
    MeterHarness h(netflow::MeterConfig{}, "");
    h.feed(PacketBuilder()
               .Eth()
               .IPv6("2001:db8::10", "2001:db8::20")
               .Ttl(64)
               .TCP(50000, 443, nftest::kSyn),
           kT0);
    h.feed(PacketBuilder()
               .Eth()
               .IPv6("2001:db8::20", "2001:db8::10")
               .Ttl(57)
               .TCP(443, 50000, nftest::kSyn | kAck),
           kT0 + 1000);
    h.feed(PacketBuilder()
               .Eth()
               .IPv6("2001:db8::10", "2001:db8::20")
               .Ttl(255)
               .TCP(50000, 443, kAck)
               .PayloadSize(100),
           kT0 + 2000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    const auto &r = rows[0];
    EXPECT_EQ(r.at("IPV4_SRC_ADDR"), "2001:db8::10");
    EXPECT_EQ(r.at("IPV4_DST_ADDR"), "2001:db8::20");
    EXPECT_EQ(r.at("L4_SRC_PORT"), "50000");
    EXPECT_EQ(r.at("PROTOCOL"), "6");
    EXPECT_EQ(r.at("IN_BYTES"), "220");  // (40 + 20) + (40 + 20 + 100)
    EXPECT_EQ(r.at("OUT_BYTES"), "60");
    EXPECT_EQ(r.at("MIN_TTL"), "57");
    EXPECT_EQ(r.at("MAX_TTL"), "255");
    EXPECT_EQ(r.at("SHORTEST_FLOW_PKT"), "60");
    EXPECT_EQ(r.at("LONGEST_FLOW_PKT"), "160");
}

TEST(Ipv6, ExtensionHeadersCountInTheLengthButNotThePayload) {
    MeterHarness h(netflow::MeterConfig{}, "");
    // 40 + hop-by-hop 8 + destination options 16 + TCP 20 + 10 = 94.
    // Two identical segments: the second is a retransmission of 94 bytes,
    // which needs the payload (10) found past the extension headers.
    for (int i = 0; i < 2; i++)
        h.feed(PacketBuilder()
                   .Eth()
                   .IPv6("2001:db8::1", "2001:db8::2")
                   .Ipv6HopByHop()
                   .Ipv6DestOpts(1)
                   .TCP(1234, 80, kAck)
                   .Seq(1000)
                   .PayloadSize(10),
               kT0 + i);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "1234");
    EXPECT_EQ(rows[0].at("L4_DST_PORT"), "80");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "188");
    EXPECT_EQ(rows[0].at("RETRANSMITTED_IN_PKTS"), "1");
    EXPECT_EQ(rows[0].at("RETRANSMITTED_IN_BYTES"), "94");
}

TEST(Ipv6, FragmentHeaderWithOffsetCountsWithPortsZero) {
    MeterHarness h(netflow::MeterConfig{}, "");
    // First fragment (offset 0): 40 + 8 + 8 + 1000 = 1056, ports 5000/6000.
    h.feed(PacketBuilder()
               .Eth()
               .IPv6("2001:db8::1", "2001:db8::2")
               .Ipv6Fragment(0, true)
               .UDP(5000, 6000)
               .PayloadSize(1000),
           kT0);
    // Later fragment (offset 126 * 8 = 1008): 40 + 8 + 500 = 548, ports 0/0.
    h.feed(PacketBuilder()
               .Eth()
               .IPv6("2001:db8::1", "2001:db8::2")
               .Ipv6Fragment(126, false)
               .NextProto(17)
               .PayloadSize(500),
           kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "5000");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "1056");
    EXPECT_EQ(rows[1].at("L4_SRC_PORT"), "0");
    EXPECT_EQ(rows[1].at("L4_DST_PORT"), "0");
    EXPECT_EQ(rows[1].at("PROTOCOL"), "17");
    EXPECT_EQ(rows[1].at("IN_BYTES"), "548");
}

TEST(Ipv6, AddressesInRfc5952Form) {
    // input -> RFC 5952: lower case, leading zeros dropped, the longest run
    // of zero groups (the first of equal runs) as "::", a single zero group
    // not compressed, IPv4-mapped with a dotted quad.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
        {"2001:db8:0:0:0:1:0:0", "2001:db8::1:0:0"},
        {"2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"FE80:0:0:0:0:0:0:0", "fe80::"},
        {"::ffff:c000:0201", "::ffff:192.0.2.1"},
    };
    MeterHarness h(netflow::MeterConfig{}, "");
    uint64_t t = kT0;
    for (const auto &c : cases)
        h.feed(PacketBuilder().Eth().IPv6(c.first, "2001:db8:ffff::9").UDP(1, 2), t += 10);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), cases.size());
    for (size_t i = 0; i < cases.size(); i++) {
        EXPECT_EQ(rows[i].at("IPV4_SRC_ADDR"), cases[i].second) << cases[i].first;
        EXPECT_EQ(rows[i].at("IPV4_DST_ADDR"), "2001:db8:ffff::9");
    }
}

TEST(Ipv6, DefaultFilterLeavesIpv6Out) {
    MeterHarness h;
    EXPECT_EQ(h.feed(PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").UDP(1, 2), kT0),
              netflow::PacketDecoder::Outcome::FilteredOut);
    EXPECT_EQ(h.flush().size(), 0u);
}

}  // namespace

// Per-packet features of docs/spec/FEATURES.md: the length buckets, LONGEST/SHORTEST
// and MIN/MAX_IP_PKT_LEN, MIN/MAX_TTL, TCP_WIN_MAX_IN/OUT (raw) and
// TCP_FLAGS / CLIENT_TCP_FLAGS / SERVER_TCP_FLAGS. Packet length is the IP
// length from the header.
#include <gtest/gtest.h>

#include <cstdint>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;
using nftest::Row;

PacketBuilder udpOfIpLength(uint32_t ip_len) {
    // 20 IP + 8 UDP + payload.
    return PacketBuilder()
        .Eth()
        .IPv4("10.0.0.1", "10.0.0.2")
        .UDP(1000, 2000)
        .PayloadSize(ip_len - 28);
}

TEST(LengthBuckets, BoundariesAreInclusiveUpperBounds) {
    MeterHarness h;
    const uint32_t lengths[] = {28, 128, 129, 256, 257, 512, 513, 1024, 1025, 1514, 1515};
    uint64_t t = kT0;
    for (uint32_t len : lengths)
        h.feed(udpOfIpLength(len), t += 1000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    const Row &r = rows[0];
    EXPECT_EQ(r.at("NUM_PKTS_UP_TO_128_BYTES"), "2");     // 28, 128
    EXPECT_EQ(r.at("NUM_PKTS_128_TO_256_BYTES"), "2");    // 129, 256
    EXPECT_EQ(r.at("NUM_PKTS_256_TO_512_BYTES"), "2");    // 257, 512
    EXPECT_EQ(r.at("NUM_PKTS_512_TO_1024_BYTES"), "2");   // 513, 1024
    EXPECT_EQ(r.at("NUM_PKTS_1024_TO_1514_BYTES"), "2");  // 1025, 1514; 1515 in none
    EXPECT_EQ(r.at("IN_PKTS"), "11");
    // 28+128+129+256+257+512+513+1024+1025+1514+1515 = 6901
    EXPECT_EQ(r.at("IN_BYTES"), "6901");
    EXPECT_EQ(r.at("LONGEST_FLOW_PKT"), "1515");
    EXPECT_EQ(r.at("MAX_IP_PKT_LEN"), "1515");
    EXPECT_EQ(r.at("SHORTEST_FLOW_PKT"), "28");
    EXPECT_EQ(r.at("MIN_IP_PKT_LEN"), "28");
}

TEST(LengthBuckets, JumboPacketIsInNoBucket) {
    MeterHarness h;
    h.feed(udpOfIpLength(9000), kT0);
    const Row &r = h.flush().at(0);
    for (const char *bucket :
         {"NUM_PKTS_UP_TO_128_BYTES", "NUM_PKTS_128_TO_256_BYTES", "NUM_PKTS_256_TO_512_BYTES",
          "NUM_PKTS_512_TO_1024_BYTES", "NUM_PKTS_1024_TO_1514_BYTES"})
        EXPECT_EQ(r.at(bucket), "0") << bucket;
    EXPECT_EQ(r.at("LONGEST_FLOW_PKT"), "9000");
    EXPECT_EQ(r.at("SHORTEST_FLOW_PKT"), "9000");
}

TEST(LengthBuckets, BothDirectionsCountAndLinkLayerNever) {
    MeterHarness h;
    // Client: 40-byte SYN in a QinQ frame; server: 1500-byte IP packet of
    // which only 100 frame bytes were captured.
    h.feed(PacketBuilder()
               .Eth()
               .Vlan(5, 0x88A8)
               .Vlan(6)
               .IPv4("10.0.0.1", "10.0.0.2")
               .TCP(40000, 80, nftest::kSyn),
           kT0);
    h.feed(PacketBuilder()
               .Eth()
               .Vlan(5, 0x88A8)
               .Vlan(6)
               .IPv4("10.0.0.2", "10.0.0.1")
               .TCP(80, 40000, kAck)
               .PayloadSize(1460)
               .Snap(100),
           kT0 + 1000);
    const Row &r = h.flush().at(0);
    EXPECT_EQ(r.at("IN_BYTES"), "40");
    EXPECT_EQ(r.at("OUT_BYTES"), "1500");
    EXPECT_EQ(r.at("NUM_PKTS_UP_TO_128_BYTES"), "1");
    EXPECT_EQ(r.at("NUM_PKTS_1024_TO_1514_BYTES"), "1");
    EXPECT_EQ(r.at("SHORTEST_FLOW_PKT"), "40");
    EXPECT_EQ(r.at("LONGEST_FLOW_PKT"), "1500");
}

TEST(Ttl, MinAndMaxOverBothDirections) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").Ttl(64).UDP(1, 2), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").Ttl(128).UDP(2, 1), kT0 + 1);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").Ttl(5).UDP(2, 1), kT0 + 2);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").Ttl(63).UDP(1, 2), kT0 + 3);
    const Row &r = h.flush().at(0);
    EXPECT_EQ(r.at("MIN_TTL"), "5");
    EXPECT_EQ(r.at("MAX_TTL"), "128");
}

TEST(Ttl, ExtremesZeroAnd255) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").Ttl(0).UDP(1, 2), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.3", "10.0.0.4").Ttl(255).UDP(1, 2), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("MIN_TTL"), "0");
    EXPECT_EQ(rows[0].at("MAX_TTL"), "0");
    EXPECT_EQ(rows[1].at("MIN_TTL"), "255");
    EXPECT_EQ(rows[1].at("MAX_TTL"), "255");
}

PacketBuilder c2s(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, flags);
}
PacketBuilder s2c(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").TCP(80, 40000, flags);
}

TEST(TcpWindow, MaxOfTheRawFieldPerDirection) {
    MeterHarness h;
    h.feed(c2s(nftest::kSyn).Window(1000).TcpOptions({1, 3, 3, 7}), kT0);  // WS 7: not applied
    h.feed(s2c(nftest::kSyn | kAck).Window(29200).TcpOptions({1, 3, 3, 7}), kT0 + 1);
    h.feed(c2s(kAck).Window(65535), kT0 + 2);
    h.feed(c2s(kAck).Window(500), kT0 + 3);
    h.feed(s2c(kAck).Window(227), kT0 + 4);
    const Row &r = h.flush().at(0);
    EXPECT_EQ(r.at("TCP_WIN_MAX_IN"), "65535");
    EXPECT_EQ(r.at("TCP_WIN_MAX_OUT"), "29200");
}

TEST(TcpWindow, ZeroForUdpAndForASilentDirection) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2), kT0);
    h.feed(c2s(nftest::kSyn).Window(4321), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("TCP_WIN_MAX_IN"), "0");
    EXPECT_EQ(rows[1].at("TCP_WIN_MAX_IN"), "4321");
    EXPECT_EQ(rows[1].at("TCP_WIN_MAX_OUT"), "0");
}

TEST(TcpFlags, OrPerDirectionAndTogether) {
    MeterHarness h;
    h.feed(c2s(nftest::kSyn | nftest::kCwr), kT0);              // 0x82
    h.feed(s2c(nftest::kSyn | kAck | nftest::kEce), kT0 + 1);   // 0x52
    h.feed(c2s(kAck), kT0 + 2);                                 // 0x10
    h.feed(c2s(kAck | nftest::kPsh).PayloadSize(10), kT0 + 3);  // 0x18
    h.feed(s2c(kAck | nftest::kUrg).PayloadSize(1), kT0 + 4);   // 0x30
    h.feed(c2s(nftest::kFin | kAck), kT0 + 5);                  // 0x11
    const Row &r = h.flush().at(0);
    // client: 0x82 | 0x10 | 0x18 | 0x11 = 0x9B = 155
    EXPECT_EQ(r.at("CLIENT_TCP_FLAGS"), "155");
    // server: 0x52 | 0x30 = 0x72 = 114
    EXPECT_EQ(r.at("SERVER_TCP_FLAGS"), "114");
    // together: 0x9B | 0x72 = 0xFB = 251
    EXPECT_EQ(r.at("TCP_FLAGS"), "251");
}

TEST(TcpFlags, AllEightBits) {
    MeterHarness h;
    // 0xFF has SYN and ACK: its sender (10.0.0.1) is the server, so the
    // packet is dst->src and its flags are the server's.
    h.feed(c2s(0xFF), kT0);
    const Row &r = h.flush().at(0);
    EXPECT_EQ(r.at("IPV4_SRC_ADDR"), "10.0.0.2");
    EXPECT_EQ(r.at("TCP_FLAGS"), "255");
    EXPECT_EQ(r.at("CLIENT_TCP_FLAGS"), "0");
    EXPECT_EQ(r.at("SERVER_TCP_FLAGS"), "255");
}

TEST(TcpFlags, ZeroForOtherProtocols) {
    MeterHarness h;
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1, 2).PayloadSize(13), kT0);
    const Row &r = h.flush().at(0);
    EXPECT_EQ(r.at("TCP_FLAGS"), "0");
    EXPECT_EQ(r.at("CLIENT_TCP_FLAGS"), "0");
    EXPECT_EQ(r.at("SERVER_TCP_FLAGS"), "0");
}

}  // namespace

// docs/spec/FEATURES.md "Direction": src is the sender of the first packet seen,
// except that a TCP flow whose first packet has SYN and ACK set (other bits
// ignored) has src = that packet's receiver. IN = src->dst, OUT = dst->src.
#include <gtest/gtest.h>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kSec;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

PacketBuilder tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t flags) {
    return PacketBuilder().Eth().IPv4(src, dst).TCP(sport, dport, flags);
}

TEST(Direction, FirstSenderIsSrcEvenWhenItIsTheHigherAddress) {
    MeterHarness h;
    // 10.0.0.2 (the key's hi endpoint) speaks first, with 10 bytes.
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.2", "10.0.0.1").UDP(5000, 53).PayloadSize(10), kT0);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(53, 5000).PayloadSize(30),
           kT0 + kSec);
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(53, 5000).PayloadSize(2),
           kT0 + 2 * kSec);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    const auto &r = rows[0];
    EXPECT_EQ(r.at("IPV4_SRC_ADDR"), "10.0.0.2");
    EXPECT_EQ(r.at("L4_SRC_PORT"), "5000");
    EXPECT_EQ(r.at("IPV4_DST_ADDR"), "10.0.0.1");
    EXPECT_EQ(r.at("L4_DST_PORT"), "53");
    EXPECT_EQ(r.at("IN_PKTS"), "1");
    EXPECT_EQ(r.at("IN_BYTES"), "38");  // 20 + 8 + 10
    EXPECT_EQ(r.at("OUT_PKTS"), "2");
    EXPECT_EQ(r.at("OUT_BYTES"), "88");  // (20 + 8 + 30) + (20 + 8 + 2)
}

// A SYN+ACK first: the client (its receiver) is src. Both address orders,
// so that both outcomes of the key's lo/hi comparison are covered.
void expectSynAckFirstReversed(const char *server, const char *client, uint8_t synack_flags) {
    MeterHarness h;
    h.feed(tcp(server, 80, client, 40000, synack_flags), kT0);
    h.feed(tcp(client, 40000, server, 80, kAck).PayloadSize(5), kT0 + 1000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    const auto &r = rows[0];
    EXPECT_EQ(r.at("IPV4_SRC_ADDR"), client);
    EXPECT_EQ(r.at("L4_SRC_PORT"), "40000");
    EXPECT_EQ(r.at("IPV4_DST_ADDR"), server);
    EXPECT_EQ(r.at("L4_DST_PORT"), "80");
    EXPECT_EQ(r.at("IN_PKTS"), "1");    // the client's ACK
    EXPECT_EQ(r.at("IN_BYTES"), "45");  // 20 + 20 + 5
    EXPECT_EQ(r.at("OUT_PKTS"), "1");   // the SYN+ACK
    EXPECT_EQ(r.at("OUT_BYTES"), "40");
    EXPECT_EQ(r.at("CLIENT_TCP_FLAGS"), "16");  // ACK
    EXPECT_EQ(r.at("SERVER_TCP_FLAGS"), std::to_string(synack_flags));
}

TEST(Direction, SynAckFirstMakesItsReceiverSrc) {
    expectSynAckFirstReversed("10.0.0.1", "10.0.0.9", nftest::kSyn | kAck);  // server is lo
    expectSynAckFirstReversed("10.0.0.9", "10.0.0.1", nftest::kSyn | kAck);  // server is hi
}

TEST(Direction, SynAckWithOtherBitsStillReversed) {
    // SYN|ACK|ECE|CWR|PSH = 0x02 | 0x10 | 0x40 | 0x80 | 0x08 = 0xDA = 218.
    expectSynAckFirstReversed("10.0.0.1", "10.0.0.9",
                              nftest::kSyn | kAck | nftest::kEce | nftest::kCwr | nftest::kPsh);
}

void expectFirstSenderIsSrc(uint8_t first_flags) {
    MeterHarness h;
    h.feed(tcp("10.0.0.9", 80, "10.0.0.1", 40000, first_flags), kT0);
    h.feed(tcp("10.0.0.1", 40000, "10.0.0.9", 80, kAck), kT0 + 1000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IPV4_SRC_ADDR"), "10.0.0.9") << int(first_flags);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "80") << int(first_flags);
    EXPECT_EQ(rows[0].at("CLIENT_TCP_FLAGS"), std::to_string(first_flags));
}

TEST(Direction, OnlySynAndAckTogetherReverse) {
    expectFirstSenderIsSrc(nftest::kSyn);                 // a client's SYN
    expectFirstSenderIsSrc(kAck);                         // mid-stream ACK
    expectFirstSenderIsSrc(nftest::kFin | kAck);          // FIN+ACK
    expectFirstSenderIsSrc(nftest::kRst | kAck);          // RST+ACK
    expectFirstSenderIsSrc(nftest::kSyn | nftest::kRst);  // no ACK
}

TEST(Direction, SynAckBytesInALaterFragmentAreNotFlags) {
    // A later fragment of TCP whose bytes look like a SYN+ACK header: no L4
    // header, so no flags, and the sender is src.
    MeterHarness h;
    std::vector<uint8_t> fake_tcp(20, 0);
    fake_tcp[13] = nftest::kSyn | kAck;
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.9", "10.0.0.1")
               .Ipv4Fragment(10, false)
               .NextProto(6)
               .Payload(fake_tcp),
           kT0);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IPV4_SRC_ADDR"), "10.0.0.9");
    EXPECT_EQ(rows[0].at("TCP_FLAGS"), "0");
}

TEST(Direction, LaterPacketsAreInOrOutBySender) {
    MeterHarness h;
    // client SYN, server SYN+ACK, client ACK, client data 100, server data 300
    h.feed(tcp("192.168.0.5", 33000, "10.1.1.1", 443, nftest::kSyn), kT0);
    h.feed(tcp("10.1.1.1", 443, "192.168.0.5", 33000, nftest::kSyn | kAck), kT0 + 1000);
    h.feed(tcp("192.168.0.5", 33000, "10.1.1.1", 443, kAck), kT0 + 2000);
    h.feed(tcp("192.168.0.5", 33000, "10.1.1.1", 443, kAck | nftest::kPsh).PayloadSize(100),
           kT0 + 3000);
    h.feed(tcp("10.1.1.1", 443, "192.168.0.5", 33000, kAck | nftest::kPsh).PayloadSize(300),
           kT0 + 4000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    const auto &r = rows[0];
    EXPECT_EQ(r.at("IPV4_SRC_ADDR"), "192.168.0.5");
    EXPECT_EQ(r.at("IN_PKTS"), "3");
    EXPECT_EQ(r.at("IN_BYTES"), "220");  // 40 + 40 + 140
    EXPECT_EQ(r.at("OUT_PKTS"), "2");
    EXPECT_EQ(r.at("OUT_BYTES"), "380");  // 40 + 340
}

}  // namespace

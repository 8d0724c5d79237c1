// IPv4 fragments (docs/spec/FEATURES.md): the first fragment belongs to its flow;
// later fragments (no L4 header) are counted on the flow with ports 0/0.
#include <gtest/gtest.h>

#include "support/FlowHarness.h"

namespace {

using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

PacketBuilder firstFragment(uint16_t sport, uint16_t dport, size_t payload) {
    return PacketBuilder()
        .Eth()
        .IPv4("10.0.0.1", "10.0.0.2")
        .Ipv4Fragment(0, true)
        .UDP(sport, dport)
        .PayloadSize(payload);
}
PacketBuilder laterFragment(uint16_t offset_units, bool more, uint8_t proto, size_t bytes) {
    return PacketBuilder()
        .Eth()
        .IPv4("10.0.0.1", "10.0.0.2")
        .Ipv4Fragment(offset_units, more)
        .NextProto(proto)
        .PayloadSize(bytes, 0x33);
}

TEST(Fragments, FirstFragmentJoinsItsFlowLaterOnesGoToPortsZero) {
    MeterHarness h;
    // An unfragmented datagram opens the 5000 -> 6000 flow.
    h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(5000, 6000).PayloadSize(100),
           kT0);
    // A 3000-byte datagram in three fragments: 20 + 8 + 1472 = 1500,
    // 20 + 1480 = 1500 (offset 185), 20 + 48 = 68 (offset 370).
    h.feed(firstFragment(5000, 6000, 1472), kT0 + 10);
    h.feed(laterFragment(185, true, 17, 1480), kT0 + 11);
    h.feed(laterFragment(370, false, 17, 48), kT0 + 12);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "5000");
    EXPECT_EQ(rows[0].at("L4_DST_PORT"), "6000");
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "1628");  // 128 + 1500
    EXPECT_EQ(rows[1].at("L4_SRC_PORT"), "0");
    EXPECT_EQ(rows[1].at("L4_DST_PORT"), "0");
    EXPECT_EQ(rows[1].at("PROTOCOL"), "17");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[1].at("IN_BYTES"), "1568");  // 1500 + 68
}

TEST(Fragments, LaterFragmentsOfDifferentDatagramsShareOneFlow) {
    MeterHarness h;
    h.feed(laterFragment(100, false, 17, 80), kT0);
    h.feed(firstFragment(1111, 2222, 100), kT0 + 1);
    h.feed(laterFragment(200, false, 17, 80), kT0 + 2);
    h.feed(firstFragment(3333, 4444, 100), kT0 + 3);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "0");
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[1].at("L4_SRC_PORT"), "1111");
    EXPECT_EQ(rows[2].at("L4_SRC_PORT"), "3333");
}

TEST(Fragments, TcpAndUdpLaterFragmentsAreSeparateByProtocol) {
    MeterHarness h;
    h.feed(laterFragment(50, false, 17, 40), kT0);
    h.feed(laterFragment(50, false, 6, 40), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("PROTOCOL"), "17");
    EXPECT_EQ(rows[1].at("PROTOCOL"), "6");
}

TEST(Fragments, LaterTcpFragmentHasNoTcpFields) {
    // The data of a later fragment is not a TCP header: no flags, no window,
    // no sequence (two identical ones are not retransmissions).
    MeterHarness h;
    h.feed(laterFragment(20, false, 6, 60), kT0);
    h.feed(laterFragment(20, false, 6, 60), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("TCP_FLAGS"), "0");
    EXPECT_EQ(rows[0].at("TCP_WIN_MAX_IN"), "0");
    EXPECT_EQ(rows[0].at("RETRANSMITTED_IN_PKTS"), "0");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "160");  // 2 * (20 + 60)
}

TEST(Fragments, FirstTcpFragmentCountsItsFlags) {
    MeterHarness h;
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .Ipv4Fragment(0, true)
               .TCP(1234, 80, nftest::kAck | nftest::kPsh)
               .Window(999)
               .PayloadSize(1000),
           kT0);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("L4_SRC_PORT"), "1234");
    EXPECT_EQ(rows[0].at("TCP_FLAGS"), "24");
    EXPECT_EQ(rows[0].at("TCP_WIN_MAX_IN"), "999");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "1040");
}

}  // namespace

// Link layers (capture/LinkLayer via PacketDecoder): the IP header is found
// behind every supported link header, VLAN tags are skipped where an
// EtherType is carried, and link-layer bytes never count in lengths.
#include <gtest/gtest.h>

#include <pcap/dlt.h>

#include <cstdint>
#include <vector>

#include "filter/BpfFilter.h"
#include "support/FlowHarness.h"
#include "capture/LinkLayer.h"

namespace {

using Bytes = std::vector<uint8_t>;
using Outcome = netflow::PacketDecoder::Outcome;
using nftest::PacketBuilder;

// A UDP datagram 10.0.0.1:1111 -> 10.0.0.2:2222 with 10 payload bytes:
// ip_len 20 + 8 + 10 = 38. Its bytes without the Ethernet header.
Bytes ipv4Datagram() {
    Bytes f = PacketBuilder()
                  .Eth()
                  .IPv4("10.0.0.1", "10.0.0.2")
                  .UDP(1111, 2222)
                  .PayloadSize(10)
                  .build()
                  .bytes;
    return Bytes(f.begin() + 14, f.end());
}
Bytes ipv6Datagram() {
    Bytes f = PacketBuilder()
                  .Eth()
                  .IPv6("2001:db8::1", "2001:db8::2")
                  .UDP(1111, 2222)
                  .PayloadSize(10)
                  .build()
                  .bytes;
    return Bytes(f.begin() + 14, f.end());
}

nftest::Frame frame(Bytes header, const Bytes &ip) {
    header.insert(header.end(), ip.begin(), ip.end());
    nftest::Frame f;
    f.caplen = static_cast<uint32_t>(header.size());
    f.bytes = std::move(header);
    return f;
}

void expectUdpPacket(const nftest::Frame &f, int dlt, const char *what, uint16_t vlan = 0) {
    nftest::Decoded d = nftest::decode(f, nullptr, dlt);
    ASSERT_EQ(d.outcome, Outcome::Packet) << what;
    EXPECT_EQ(d.pkt.ip_len, 38u) << what;
    EXPECT_EQ(d.pkt.sport, 1111) << what;
    EXPECT_EQ(d.pkt.dport, 2222) << what;
    EXPECT_EQ(d.pkt.payload_captured, 10u) << what;
    EXPECT_EQ(d.pkt.vlan_id, vlan) << what;
}

TEST(LinkLayer, RawIp) {
    expectUdpPacket(frame({}, ipv4Datagram()), DLT_RAW, "DLT_RAW");
    expectUdpPacket(frame({}, ipv4Datagram()), DLT_IPV4, "DLT_IPV4");
    netflow::BpfFilter all(DLT_RAW, 65535, "");
    nftest::Decoded v6 = nftest::decode(frame({}, ipv6Datagram()), &all, DLT_RAW);
    ASSERT_EQ(v6.outcome, Outcome::Packet);
    EXPECT_EQ(v6.pkt.ip_version, 6);
    EXPECT_EQ(v6.pkt.ip_len, 58u);  // 40 + 8 + 10
}

TEST(LinkLayer, LinuxCooked) {
    Bytes sll = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
    expectUdpPacket(frame(sll, ipv4Datagram()), DLT_LINUX_SLL, "SLL");
    Bytes sll_vlan = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x81, 0x00, 0x00, 33, 0x08, 0x00};
    expectUdpPacket(frame(sll_vlan, ipv4Datagram()), DLT_LINUX_SLL, "SLL+VLAN", 33);
    Bytes sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
    expectUdpPacket(frame(sll2, ipv4Datagram()), DLT_LINUX_SLL2, "SLL2");
}

TEST(LinkLayer, BsdLoopback) {
    expectUdpPacket(frame({2, 0, 0, 0}, ipv4Datagram()), DLT_NULL, "NULL little-endian");
    expectUdpPacket(frame({0, 0, 0, 2}, ipv4Datagram()), DLT_NULL, "NULL big-endian");
    expectUdpPacket(frame({0, 0, 0, 2}, ipv4Datagram()), DLT_LOOP, "LOOP");
    netflow::BpfFilter all(DLT_NULL, 65535, "");
    for (uint8_t family : {24, 28, 30}) {
        nftest::Decoded d =
            nftest::decode(frame({family, 0, 0, 0}, ipv6Datagram()), &all, DLT_NULL);
        EXPECT_EQ(d.outcome, Outcome::Packet) << int(family);
        EXPECT_EQ(d.pkt.ip_version, 6) << int(family);
    }
}

TEST(LinkLayer, PppAndHdlc) {
    expectUdpPacket(frame({0xFF, 0x03, 0x00, 0x21}, ipv4Datagram()), DLT_PPP, "PPP");
    expectUdpPacket(frame({0x00, 0x21}, ipv4Datagram()), DLT_PPP, "PPP no address/control");
    expectUdpPacket(frame({0x21}, ipv4Datagram()), DLT_PPP, "PPP compressed protocol");
    expectUdpPacket(frame({0xFF, 0x03, 0x00, 0x21}, ipv4Datagram()), DLT_PPP_SERIAL, "PPP serial");
    expectUdpPacket(frame({0x0F, 0x00, 0x08, 0x00}, ipv4Datagram()), DLT_C_HDLC, "Cisco HDLC");
    // LCP: not IP, never counted.
    EXPECT_NE(
        nftest::decode(frame({0xFF, 0x03, 0xC0, 0x21}, Bytes(20, 0)), nullptr, DLT_PPP).outcome,
        Outcome::Packet);
}

Bytes wifiData(uint8_t fc0, uint8_t fc1) {
    Bytes h = {fc0, fc1, 0, 0};
    h.insert(h.end(), 18, 0x11);  // three addresses
    h.insert(h.end(), {0, 0});    // sequence control
    if ((fc1 & 3) == 3)
        h.insert(h.end(), 6, 0x22);  // fourth address
    if (fc0 & 0x80)
        h.insert(h.end(), {0, 0});  // QoS control
    h.insert(h.end(), {0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00});
    return h;
}

TEST(LinkLayer, Ieee80211) {
    expectUdpPacket(frame(wifiData(0x08, 0x01), ipv4Datagram()), DLT_IEEE802_11, "data");
    expectUdpPacket(frame(wifiData(0x88, 0x02), ipv4Datagram()), DLT_IEEE802_11, "QoS data");
    expectUdpPacket(frame(wifiData(0x08, 0x03), ipv4Datagram()), DLT_IEEE802_11, "4 addresses");
    // Protected, or a null-data subtype: no IP to find.
    EXPECT_NE(nftest::decode(frame(wifiData(0x08, 0x41), ipv4Datagram()), nullptr, DLT_IEEE802_11)
                  .outcome,
              Outcome::Packet);
    EXPECT_NE(nftest::decode(frame(wifiData(0x48, 0x01), ipv4Datagram()), nullptr, DLT_IEEE802_11)
                  .outcome,
              Outcome::Packet);
}

TEST(LinkLayer, RadiotapAndPpi) {
    Bytes radiotap = {0, 0, 8, 0, 0, 0, 0, 0};
    Bytes wifi = wifiData(0x08, 0x01);
    radiotap.insert(radiotap.end(), wifi.begin(), wifi.end());
    expectUdpPacket(frame(radiotap, ipv4Datagram()), DLT_IEEE802_11_RADIO, "radiotap");

    Bytes ppi = {0, 0, 8, 0, 105, 0, 0, 0};  // 802.11 inside
    ppi.insert(ppi.end(), wifi.begin(), wifi.end());
    expectUdpPacket(frame(ppi, ipv4Datagram()), DLT_PPI, "PPI 802.11");

    Bytes ppi_eth = {0, 0, 8, 0, 1, 0, 0, 0};  // Ethernet inside
    Bytes eth = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    ppi_eth.insert(ppi_eth.end(), eth.begin(), eth.end());
    expectUdpPacket(frame(ppi_eth, ipv4Datagram()), DLT_PPI, "PPI Ethernet");
}

TEST(LinkLayer, CutLinkHeadersAreNotIp) {
    // With a user filter that passes them they are "not IP"; under the
    // default filter (`ip and ...`) they are filtered out.
    const struct {
        nftest::Frame bytes;
        int dlt;
    } cut[] = {{frame({0, 0, 0, 1, 0, 6}, {}), DLT_LINUX_SLL},
               {frame({2, 0}, {}), DLT_NULL},
               {frame({0x08, 0x01, 0, 0}, {}), DLT_IEEE802_11}};
    for (const auto &c : cut) {
        netflow::BpfFilter everything(c.dlt, 65535, "");
        EXPECT_EQ(nftest::decode(c.bytes, &everything, c.dlt).outcome, Outcome::NotIp) << c.dlt;
        EXPECT_EQ(nftest::decode(c.bytes, nullptr, c.dlt).outcome, Outcome::FilteredOut) << c.dlt;
    }
}

TEST(LinkLayer, SupportedTypes) {
    for (int dlt : {DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_PPP,
                    DLT_C_HDLC, DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PPI})
        EXPECT_TRUE(netflow::isSupportedLinkType(dlt)) << dlt;
    EXPECT_FALSE(netflow::isSupportedLinkType(DLT_USB_LINUX));
}

}  // namespace

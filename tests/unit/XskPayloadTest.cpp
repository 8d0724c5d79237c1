// tap capture: a frame received on an AF_XDP socket, with the XDP
// program's metadata in front, becomes exactly the payload record (and
// parsed packet) the payload ring would have carried for it, so the
// classifier cannot tell the two paths apart.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "flow_key.h"
#include "payload_budget.h"
#include "kernel/EventRing.h"
#include "kernel/XskPayload.h"
#include "support/CoreParse.h"

namespace {

using netflow::decodeXskFrame;
using netflow::XskFrameStatus;
using netflow::XskPayload;
using nftest::Frame;
using nftest::PacketBuilder;

constexpr uint64_t kTime = 1'700'000'000'123'456;

nf_xsk_meta goodMeta() {
    nf_xsk_meta m{};
    m.time_us = kTime;
    m.flow_first_us = kTime - 500;
    m.payload_index = 3;
    m.want = NF_WANT_DPI | NF_WANT_APP;
    m.dir = NF_DIR_OUT;
    m.magic = NF_XSK_META_MAGIC;
    return m;
}

// The UMEM frame as the kernel leaves it: headroom ending in the metadata.
struct Umem {
    std::vector<uint8_t> headroom = std::vector<uint8_t>(256, 0xEE);
    Frame frame;

    Umem(const PacketBuilder &b, const nf_xsk_meta &meta) : frame(b.build()) {
        std::memcpy(headroom.data() + headroom.size() - sizeof(meta), &meta, sizeof(meta));
    }
    XskFrameStatus decode(XskPayload &out) const {
        return decodeXskFrame(headroom, std::span<const uint8_t>(frame.data(), frame.caplen), out);
    }
};

// What the payload ring carries for the same frame: the kernel's record
// (nf_payload_lengths) and the bytes after it, parsed as EventRing does.
void expectSameAsRingCopy(const Umem &u, const XskPayload &got) {
    const nftest::CoreParsed parsed = nftest::coreParse(u.frame);
    ASSERT_EQ(parsed.rc, NF_PARSE_OK);
    nf_flow_key key{};
    nf_flow_key_from_packet(&parsed.pkt, &key);
    const uint32_t l3_off = static_cast<uint32_t>(parsed.l3 - u.frame.data());
    const uint32_t datagram = std::min(u.frame.caplen - l3_off, parsed.pkt.ip_len);

    const nf_xsk_meta meta = goodMeta();
    EXPECT_EQ(got.rec.hdr.type, static_cast<uint32_t>(NF_REC_PAYLOAD));
    EXPECT_EQ(got.rec.time_us, meta.time_us);
    EXPECT_EQ(got.rec.flow_first_us, meta.flow_first_us);
    EXPECT_EQ(got.rec.payload_index, meta.payload_index);
    EXPECT_EQ(got.rec.want, meta.want);
    EXPECT_EQ(got.rec.dir, meta.dir);
    EXPECT_EQ(std::memcmp(&got.rec.key, &key, sizeof(key)), 0);
    EXPECT_EQ(got.rec.datagram_len, datagram);
    EXPECT_EQ(got.rec.cap_len, std::min<uint32_t>(datagram, NF_PAYLOAD_COPY_MAX));
    EXPECT_EQ(got.l3.data(), parsed.l3) << "the bytes from the IP header, where they lie";
    EXPECT_EQ(got.l3.size(), got.rec.cap_len);

    nf_packet ring_packet;
    ASSERT_TRUE(netflow::EventRing::parsePayload(got.rec, got.l3, ring_packet));
    EXPECT_EQ(std::memcmp(&got.packet, &ring_packet, sizeof(ring_packet)), 0);
}

TEST(XskPayload, UdpFrameBecomesTheRingsRecord) {
    Umem u(PacketBuilder().Eth().IPv4("10.9.0.2", "10.9.0.1").UDP(53, 40000).Payload("answer"),
           goodMeta());
    XskPayload p;
    ASSERT_EQ(u.decode(p), XskFrameStatus::Ok);
    expectSameAsRingCopy(u, p);
    EXPECT_EQ(p.packet.payload_len, 6u);
    EXPECT_EQ(p.packet.payload_captured, 6u);
}

TEST(XskPayload, EthernetPaddingIsNotPartOfTheDatagram) {
    Umem u(PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").UDP(1, 2).Payload("x").Pad(17),
           goodMeta());
    XskPayload p;
    ASSERT_EQ(u.decode(p), XskFrameStatus::Ok);
    expectSameAsRingCopy(u, p);
    EXPECT_EQ(p.rec.datagram_len, 29u);  // 20 + 8 + 1, not the padded frame
}

TEST(XskPayload, VlanTagsAndIpv6FormTheKey) {
    Umem u(PacketBuilder()
               .Eth()
               .Vlan(42)
               .Vlan(7)
               .IPv6("fd00::2", "fd00::1")
               .TCP(80, 5555)
               .Payload("HTTP/1.1 200 OK\r\n"),
           goodMeta());
    XskPayload p;
    ASSERT_EQ(u.decode(p), XskFrameStatus::Ok);
    expectSameAsRingCopy(u, p);
    EXPECT_EQ(p.rec.key.vlan_id, 42);
    EXPECT_EQ(p.rec.key.ip_version, 6);
}

TEST(XskPayload, LongDatagramsAreCutAsTheRingCutsThem) {
    Umem u(PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").TCP(5555, 80).PayloadSize(6000),
           goodMeta());
    XskPayload p;
    ASSERT_EQ(u.decode(p), XskFrameStatus::Ok);
    expectSameAsRingCopy(u, p);
    EXPECT_EQ(p.rec.datagram_len, 6040u);
    EXPECT_EQ(p.rec.cap_len, static_cast<uint32_t>(NF_PAYLOAD_COPY_MAX));
    EXPECT_EQ(p.packet.payload_len, 6000u);
    EXPECT_EQ(p.packet.payload_captured, NF_PAYLOAD_COPY_MAX - 40u);
}

TEST(XskPayload, FramesWithoutValidMetadataAreRefused) {
    const PacketBuilder dns =
        PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").UDP(40000, 53).Payload("query");
    auto status = [&](void (*spoil)(nf_xsk_meta &)) {
        nf_xsk_meta m = goodMeta();
        spoil(m);
        XskPayload p;
        return Umem(dns, m).decode(p);
    };
    EXPECT_EQ(status([](nf_xsk_meta &m) { m.magic = 0; }), XskFrameStatus::BadMetadata);
    EXPECT_EQ(status([](nf_xsk_meta &m) { m.want = 0; }), XskFrameStatus::BadMetadata);
    EXPECT_EQ(status([](nf_xsk_meta &m) { m.want = 4; }), XskFrameStatus::BadMetadata);
    EXPECT_EQ(status([](nf_xsk_meta &m) { m.dir = 2; }), XskFrameStatus::BadMetadata);
    EXPECT_EQ(status([](nf_xsk_meta &m) { m.payload_index = 0; }), XskFrameStatus::BadMetadata);

    const Frame f = dns.build();
    XskPayload p;
    const std::vector<uint8_t> short_headroom(sizeof(nf_xsk_meta) - 1, 0);
    EXPECT_EQ(decodeXskFrame(short_headroom, std::span<const uint8_t>(f.data(), f.caplen), p),
              XskFrameStatus::BadMetadata);
    EXPECT_EQ(decodeXskFrame({}, {}, p), XskFrameStatus::BadMetadata);
}

TEST(XskPayload, FramesThatAreNotIpAreRefused) {
    XskPayload p;
    EXPECT_EQ(
        Umem(PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)), goodMeta())
            .decode(p),
        XskFrameStatus::NotParsed);
    EXPECT_EQ(
        Umem(PacketBuilder().Eth().IPv4("10.9.0.1", "10.9.0.2").UDP(1, 2).Payload("x").Snap(20),
             goodMeta())
            .decode(p),
        XskFrameStatus::NotParsed)
        << "an IP header cut off";
}

}  // namespace

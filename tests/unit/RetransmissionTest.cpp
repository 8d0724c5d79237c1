// RETRANSMITTED_IN/OUT_PKTS/_BYTES (docs/spec/FEATURES.md): per direction, over TCP
// packets with payload > 0: end = (seq + payload) mod 2^32; the first such
// packet sets the highest end; a later one whose end is not after the
// highest (signed 32-bit difference <= 0) is a retransmission, otherwise it
// raises the highest; bytes are their packet lengths.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kPsh;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;
using nftest::Row;

struct Seg {
    bool from_client;
    uint32_t seq;
    size_t payload;
};

// Client 10.0.0.1:40000 -> server 10.0.0.2:80; the first segment is the
// client's, so the client is src (IN).
Row run(const std::vector<Seg> &segs) {
    MeterHarness h;
    uint64_t t = kT0;
    for (const Seg &s : segs) {
        PacketBuilder b;
        if (s.from_client)
            b.Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, kAck | kPsh);
        else
            b.Eth().IPv4("10.0.0.2", "10.0.0.1").TCP(80, 40000, kAck | kPsh);
        b.Seq(s.seq).PayloadSize(s.payload);
        h.feed(b, t += 1000);
    }
    const auto &rows = h.flush();
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? Row{} : rows[0];
}

void expectRetrans(const Row &r, const char *in_pkts, const char *in_bytes,
                   const char *out_pkts = "0", const char *out_bytes = "0") {
    EXPECT_EQ(r.at("RETRANSMITTED_IN_PKTS"), in_pkts);
    EXPECT_EQ(r.at("RETRANSMITTED_IN_BYTES"), in_bytes);
    EXPECT_EQ(r.at("RETRANSMITTED_OUT_PKTS"), out_pkts);
    EXPECT_EQ(r.at("RETRANSMITTED_OUT_BYTES"), out_bytes);
}

TEST(Retransmission, InOrderDataIsNone) {
    // ends 1100, 1200, 1300: each after the highest.
    expectRetrans(run({{true, 1000, 100}, {true, 1100, 100}, {true, 1200, 100}}), "0", "0");
}

TEST(Retransmission, SameSegmentTwiceIsOne) {
    // end 1100 then 1100: difference 0 <= 0. Bytes: 20 + 20 + 100 = 140.
    expectRetrans(run({{true, 1000, 100}, {true, 1000, 100}}), "1", "140");
}

TEST(Retransmission, PureAckThenDataIsNotARetransmission) {
    // The pure ACKs (payload 0) repeat seq 1100 and are ignored; the data at
    // 1100 ends at 1200 > 1100. (The earlier tool counted this.)
    expectRetrans(run({{true, 1000, 100}, {true, 1100, 0}, {true, 1100, 0}, {true, 1100, 100}}),
                  "0", "0");
}

TEST(Retransmission, KeepAlives) {
    // Zero-length keep-alive (seq = next - 1, no payload): ignored.
    expectRetrans(run({{true, 1000, 100}, {true, 1099, 0}, {true, 1099, 0}}), "0", "0");
    // One-byte keep-alive at next - 1: end 1099 + 1 = 1100, not after 1100:
    // counted by the rule, bytes 20 + 20 + 1 = 41 each.
    expectRetrans(run({{true, 1000, 100}, {true, 1099, 1}, {true, 1099, 1}}), "2", "82");
}

TEST(Retransmission, PartialOverlapThatExtendsIsNot) {
    // ends: 1100 (first), 1150 (> 1100: raises), 1150 (<= 1150: retrans).
    // Bytes of the third: 20 + 20 + 50 = 90.
    expectRetrans(run({{true, 1000, 100}, {true, 1050, 100}, {true, 1100, 50}}), "1", "90");
}

TEST(Retransmission, OutOfOrderFillCountsByTheRule) {
    // ends: 1300 (first), 1200 <= 1300: counted, 140 bytes.
    expectRetrans(run({{true, 1200, 100}, {true, 1100, 100}}), "1", "140");
}

TEST(Retransmission, ThirtyTwoBitWrap) {
    // seq 2^32 - 100 + 100 -> end 0 (mod 2^32); seq 0 + 100 -> end 100:
    // 100 - 0 = 100 > 0, raises; the first again: end 0, 0 - 100 = -100 <= 0.
    expectRetrans(run({{true, 0xFFFFFF9Cu, 100}, {true, 0, 100}, {true, 0xFFFFFF9Cu, 100}}), "1",
                  "140");
    // A segment straddling the wrap: 0xFFFFFFF0 + 32 -> end 0x10; next at
    // 0x10 + 16 -> 0x20 > 0x10: not a retransmission.
    expectRetrans(run({{true, 0xFFFFFFF0u, 32}, {true, 0x10, 16}}), "0", "0");
}

TEST(Retransmission, HalfTheSequenceSpaceAheadIsNotAfter) {
    // end 100, then end 100 + 2^31: the signed difference is -2^31 <= 0.
    // Bytes 20 + 20 + 100 = 140.
    expectRetrans(run({{true, 0, 100}, {true, 0x80000000u, 100}}), "1", "140");
    // 2^31 - 1 ahead is after: 0 + 100 = 100, then 0x7FFFFFFF + 100 - 100 > 0.
    expectRetrans(run({{true, 0, 100}, {true, 0x7FFFFFFFu, 100}}), "0", "0");
}

TEST(Retransmission, EachDirectionHasItsOwnSequenceSpace) {
    // Client and server both send seq 5000 + 10 once: no retransmission.
    expectRetrans(run({{true, 5000, 10}, {false, 5000, 10}}), "0", "0");
    // The server repeats its segment: OUT counts it, 20 + 20 + 10 = 50.
    expectRetrans(run({{true, 5000, 10}, {false, 7000, 10}, {false, 7000, 10}, {true, 5010, 10}}),
                  "0", "0", "1", "50");
}

TEST(Retransmission, BytesAreIpLengthsIncludingOptions) {
    MeterHarness h;
    for (int i = 0; i < 2; i++) {
        h.feed(PacketBuilder()
                   .Eth()
                   .IPv4("10.0.0.1", "10.0.0.2")
                   .TCP(40000, 80, kAck)
                   .Seq(777)
                   .TcpOptions({1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2})
                   .PayloadSize(100),
               kT0 + i * 1000);
    }
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    // 20 IP + 32 TCP + 100 = 152.
    expectRetrans(rows[0], "1", "152");
}

TEST(Retransmission, UdpRepeatsAreNotCounted) {
    MeterHarness h;
    for (int i = 0; i < 3; i++)
        h.feed(PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(1000, 2000).PayloadSize(50),
               kT0 + i * 1000);
    expectRetrans(h.flush().at(0), "0", "0");
}

TEST(Retransmission, EthernetPaddingIsNotPayload) {
    // A bare ACK at seq 1000 padded to 60 bytes after data 1000..1006: with
    // the 6 padding bytes as payload its end would be 1006 <= 1006.
    MeterHarness h;
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .TCP(40000, 80, kAck | kPsh)
               .Seq(1000)
               .PayloadSize(6),
           kT0);
    h.feed(PacketBuilder()
               .Eth()
               .IPv4("10.0.0.1", "10.0.0.2")
               .TCP(40000, 80, kAck)
               .Seq(1000)
               .Pad(6, 0x55),
           kT0 + 1000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    expectRetrans(rows[0], "0", "0");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "86");  // 46 + 40: padding never counts
}

}  // namespace

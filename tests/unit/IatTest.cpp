// SRC_TO_DST_IAT_* / DST_TO_SRC_IAT_* (docs/spec/FEATURES.md): over the gaps between
// consecutive packets of one direction, computed on microseconds, then
// converted to ms rounded down; STDDEV is the population standard
// deviation; all 0 with fewer than 2 packets.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "support/FlowHarness.h"
#include "flow_count.h"

namespace {

using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;
using nftest::Row;

struct Pkt {
    bool from_client;
    uint64_t at_us;  // after kT0
};

Row run(const std::vector<Pkt> &pkts) {
    MeterHarness h;
    for (const Pkt &p : pkts) {
        PacketBuilder b;
        if (p.from_client)
            b.Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(40000, 9999);
        else
            b.Eth().IPv4("10.0.0.2", "10.0.0.1").UDP(9999, 40000);
        h.feed(b, kT0 + p.at_us);
    }
    const auto &rows = h.flush();
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? Row{} : rows[0];
}

void expectIat(const Row &r, const char *dir, const char *min, const char *max, const char *avg,
               const char *stddev) {
    std::string p = std::string(dir) + "_IAT_";
    EXPECT_EQ(r.at(p + "MIN"), min) << dir;
    EXPECT_EQ(r.at(p + "MAX"), max) << dir;
    EXPECT_EQ(r.at(p + "AVG"), avg) << dir;
    EXPECT_EQ(r.at(p + "STDDEV"), stddev) << dir;
}

TEST(Iat, OnePacketPerDirectionIsAllZero) {
    Row r = run({{true, 0}, {false, 7'000'000}});
    expectIat(r, "SRC_TO_DST", "0", "0", "0", "0");
    expectIat(r, "DST_TO_SRC", "0", "0", "0", "0");
}

TEST(Iat, TwoPacketsOneGap) {
    // One gap of 1'500'700 µs -> 1500 ms; a single gap has stddev 0.
    Row r = run({{true, 0}, {true, 1'500'700}});
    expectIat(r, "SRC_TO_DST", "1500", "1500", "1500", "0");
    expectIat(r, "DST_TO_SRC", "0", "0", "0", "0");
}

TEST(Iat, KnownSeriesBothDirections) {
    // Client at 0, 1'000'400, 3'001'300, 7'001'400, 8'002'000:
    // gaps 1'000'400, 2'000'900, 4'000'100, 1'000'600 µs.
    //   min 1'000'400 -> 1000; max 4'000'100 -> 4000;
    //   mean 8'002'000 / 4 = 2'000'500 -> 2000;
    //   deviations -1'000'100, 400, 1'999'600, -999'900; squares sum
    //   5'998'400'340'000; / 4 = 1'499'600'085'000; sqrt = 1'224'581.6 -> 1224.
    // Server at 500'000, 510'000, 540'000 (interleaved with the client):
    // gaps 10'000, 30'000: min 10, max 30, mean 20, population stddev
    // 10'000 µs -> 10 (the sample stddev would be 14).
    Row r = run({{true, 0},
                 {false, 500'000},
                 {false, 510'000},
                 {false, 540'000},
                 {true, 1'000'400},
                 {true, 3'001'300},
                 {true, 7'001'400},
                 {true, 8'002'000}});
    expectIat(r, "SRC_TO_DST", "1000", "4000", "2000", "1224");
    expectIat(r, "DST_TO_SRC", "10", "30", "20", "10");
}

TEST(Iat, ComputedOnMicrosecondsThenFloored) {
    // gaps 999 and 6001 µs: min 0, max 6, mean 3500 -> 3, stddev 2501 -> 2.
    // (Flooring the gaps to ms first, 0 and 6, would give stddev 3.)
    Row r = run({{true, 0}, {true, 999}, {true, 7'000}});
    expectIat(r, "SRC_TO_DST", "0", "6", "3", "2");
}

TEST(Iat, EqualGapsHaveZeroStddev) {
    Row r = run({{false, 0}, {false, 250'000}, {false, 500'000}, {false, 750'000}});
    // The first sender is src, whichever side it is.
    expectIat(r, "SRC_TO_DST", "250", "250", "250", "0");
}

TEST(Iat, PacketBackInTimeHasGapZero) {
    // 0, 5 s, then a packet stamped 3 s takes 5 s: gaps 5'000'000 and 0.
    // min 0, max 5000, mean 2500, stddev 2'500'000 µs -> 2500.
    Row r = run({{true, 0}, {true, 5'000'000}, {true, 3'000'000}});
    expectIat(r, "SRC_TO_DST", "0", "5000", "2500", "2500");
    EXPECT_EQ(r.at("FLOW_DURATION_MILLISECONDS"), "5000");
}

// The core's per-direction accumulation, then FlowFeatures' iatMillis.
nf_dir_state directionWithGaps(const std::vector<uint64_t> &gaps) {
    nf_dir_state d{};
    d.iat_min_us = ~0ULL;
    nf_packet pkt{};
    pkt.ip_len = 40;
    uint64_t t = 1'000;
    nf_count_direction(&d, &pkt, t);
    for (uint64_t g : gaps)
        nf_count_direction(&d, &pkt, t += g);
    return d;
}

TEST(Iat, HourLongGapsOverflowSixtyFourBitsOfSquares) {
    // 10 h, 10 h, 20 h = 36e9, 36e9, 72e9 µs; the sum of squares 7.776e21
    // exceeds 2^64. mean 48e9; deviations -12e9, -12e9, 24e9; variance
    // (144 + 144 + 576)e18 / 3 = 288e18; stddev = sqrt(288) e9 =
    // 16'970'562'748.48 µs -> 16'970'562 ms.
    netflow::IatMillis m = netflow::iatMillis(
        directionWithGaps({36'000'000'000ULL, 36'000'000'000ULL, 72'000'000'000ULL}));
    EXPECT_EQ(m.min, 36'000'000u);
    EXPECT_EQ(m.max, 72'000'000u);
    EXPECT_EQ(m.avg, 48'000'000u);
    EXPECT_EQ(m.stddev, 16'970'562u);
}

TEST(Iat, SquaresBeyondNinetySixBits) {
    // k = 3e14 µs; gaps k, k, 2k: sum of squares 6 k^2 = 5.4e29 > 2^96.
    // variance = (k^2/9 + k^2/9 + 4k^2/9) / 3 = 2k^2/9; stddev = k sqrt(2)/3
    // = 1.41421356237309e14 µs -> 141'421'356'237 ms.
    const uint64_t k = 300'000'000'000'000ULL;
    netflow::IatMillis m = netflow::iatMillis(directionWithGaps({k, k, 2 * k}));
    EXPECT_EQ(m.avg, 400'000'000'000u);  // 4k/3 = 4e14 µs
    EXPECT_EQ(m.stddev, 141'421'356'237u);
}

TEST(Iat, FewerThanTwoPacketsIsZeroEvenWithState) {
    netflow::IatMillis none = netflow::iatMillis(directionWithGaps({}));
    EXPECT_EQ(none.min, 0u);
    EXPECT_EQ(none.max, 0u);
    EXPECT_EQ(none.avg, 0u);
    EXPECT_EQ(none.stddev, 0u);
}

}  // namespace

// Time features of docs/spec/FEATURES.md: FLOW_DURATION_MILLISECONDS, DURATION_IN/OUT
// (0 with fewer than 2 packets), FLOW_START/END_MILLISECONDS (µs, then ms
// rounded down), and the two rate formulas:
//   *_SECOND_BYTES     = bytes / max(1.0, duration_ms / 1000.0)   (double)
//   *_AVG_THROUGHPUT   = bytes * 8000 / max(1, duration_ms)       (floor)
// where duration_ms is the flow's FLOW_DURATION_MILLISECONDS.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "support/FlowHarness.h"

namespace {

using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;
using nftest::Row;

struct Pkt {
    bool from_client;
    uint64_t at_us;   // after kT0
    uint32_t ip_len;  // >= 28 (20 IP + 8 UDP)
};

Row run(const std::vector<Pkt> &pkts) {
    MeterHarness h;
    for (const Pkt &p : pkts) {
        PacketBuilder b;
        if (p.from_client)
            b.Eth().IPv4("10.0.0.1", "10.0.0.2").UDP(40000, 9999);
        else
            b.Eth().IPv4("10.0.0.2", "10.0.0.1").UDP(9999, 40000);
        h.feed(b.PayloadSize(p.ip_len - 28), kT0 + p.at_us);
    }
    const auto &rows = h.flush();
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? Row{} : rows[0];
}

TEST(Duration, MicrosecondsThenMillisecondsRoundedDown) {
    // 1'357'999 - 123'456 = 1'234'543 µs -> 1234 ms.
    Row r = run({{true, 123'456, 28}, {false, 1'357'999, 28}});
    EXPECT_EQ(r.at("FLOW_DURATION_MILLISECONDS"), "1234");
    // (1'700'000'000'000'000 + 123'456) / 1000 = 1'700'000'000'123.456 -> ...123
    EXPECT_EQ(r.at("FLOW_START_MILLISECONDS"), "1700000000123");
    // (1'700'000'000'000'000 + 1'357'999) / 1000 -> 1'700'000'001'357
    EXPECT_EQ(r.at("FLOW_END_MILLISECONDS"), "1700000001357");
    // One packet per direction: 0 each.
    EXPECT_EQ(r.at("DURATION_IN"), "0");
    EXPECT_EQ(r.at("DURATION_OUT"), "0");
}

TEST(Duration, SinglePacketFlowIsZero) {
    Row r = run({{true, 999'999, 100}});
    EXPECT_EQ(r.at("FLOW_DURATION_MILLISECONDS"), "0");
    EXPECT_EQ(r.at("FLOW_START_MILLISECONDS"), "1700000000999");
    EXPECT_EQ(r.at("FLOW_END_MILLISECONDS"), "1700000000999");
    EXPECT_EQ(r.at("DURATION_IN"), "0");
    EXPECT_EQ(r.at("DURATION_OUT"), "0");
}

TEST(Duration, PerDirection) {
    // IN: 0 and 2'500'999 -> 2500 ms. OUT: 1'000'000, 1'000'999 -> 999 µs
    // -> 0 ms; with a third at 3'200'500: 2'200'500 µs -> 2200 ms.
    Row two =
        run({{true, 0, 28}, {false, 1'000'000, 28}, {false, 1'000'999, 28}, {true, 2'500'999, 28}});
    EXPECT_EQ(two.at("DURATION_IN"), "2500");
    EXPECT_EQ(two.at("DURATION_OUT"), "0");
    EXPECT_EQ(two.at("FLOW_DURATION_MILLISECONDS"), "2500");

    Row three = run({{true, 0, 28},
                     {false, 1'000'000, 28},
                     {false, 1'000'999, 28},
                     {true, 2'500'999, 28},
                     {false, 3'200'500, 28}});
    EXPECT_EQ(three.at("DURATION_IN"), "2500");
    EXPECT_EQ(three.at("DURATION_OUT"), "2200");
    EXPECT_EQ(three.at("FLOW_DURATION_MILLISECONDS"), "3200");  // 3'200'500 µs
}

TEST(Rates, DurationZero) {
    // 1476 / max(1.0, 0.0) = 1476.0; 1476 * 8000 / max(1, 0) = 11'808'000.
    Row r = run({{true, 0, 1476}});
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "1476.0");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "11808000");
    EXPECT_EQ(r.at("DST_TO_SRC_SECOND_BYTES"), "0.0");
    EXPECT_EQ(r.at("DST_TO_SRC_AVG_THROUGHPUT"), "0");
}

TEST(Rates, DurationBelowOneSecond) {
    // 500 ms, IN 500 + 500 = 1000 bytes:
    // 1000 / max(1.0, 0.5) = 1000.0; 1000 * 8000 / 500 = 16000.
    Row r = run({{true, 0, 500}, {true, 500'000, 500}});
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "1000.0");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "16000");
}

TEST(Rates, FewMilliseconds) {
    // 3 ms, IN 100: 100 / max(1.0, 0.003) = 100.0; 800'000 / 3 = 266'666.67 -> 266666.
    Row r = run({{true, 0, 50}, {true, 3'000, 50}});
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "100.0");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "266666");
}

TEST(Rates, ExactlyOneSecond) {
    // 1000 ms: 100 / 1.0 = 100.0; 800'000 / 1000 = 800.
    Row r = run({{true, 0, 50}, {true, 1'000'000, 50}});
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "100.0");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "800");
}

TEST(Rates, SevenSecondsBothDirectionsUseTheFlowDuration) {
    // duration 7000 ms. IN 600 + 400 = 1000: 1000 / 7.0 = 142.857142... ->
    // "142.857"; 8'000'000 / 7000 = 1142.86 -> 1142.
    // OUT one packet of 333 (DURATION_OUT 0, but the rate uses the flow's
    // 7 s): 333 / 7.0 = 47.571428... -> "47.571"; 2'664'000 / 7000 = 380.57 -> 380.
    Row r = run({{true, 0, 600}, {false, 3'000'000, 333}, {true, 7'000'000, 400}});
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "142.857");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "1142");
    EXPECT_EQ(r.at("DST_TO_SRC_SECOND_BYTES"), "47.571");
    EXPECT_EQ(r.at("DST_TO_SRC_AVG_THROUGHPUT"), "380");
}

TEST(Rates, UseTheFlooredMilliseconds) {
    // 1'234'999 µs -> 1234 ms. IN 28 + 72 = 100.
    // 100 / 1.234 = 81.0372... -> "81.037" (on µs it would be 80.972);
    // 800'000 / 1234 = 648.29 -> 648 (on µs it would be 647).
    Row r = run({{true, 0, 28}, {true, 1'234'999, 72}});
    EXPECT_EQ(r.at("FLOW_DURATION_MILLISECONDS"), "1234");
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "81.037");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "648");
}

TEST(Rates, SubMillisecondDurationCountsAsZero) {
    // 999 µs -> 0 ms: 56 / 1.0 = 56.0; 56 * 8000 / 1 = 448'000.
    Row r = run({{true, 0, 28}, {true, 999, 28}});
    EXPECT_EQ(r.at("FLOW_DURATION_MILLISECONDS"), "0");
    EXPECT_EQ(r.at("SRC_TO_DST_SECOND_BYTES"), "56.0");
    EXPECT_EQ(r.at("SRC_TO_DST_AVG_THROUGHPUT"), "448000");
}

}  // namespace

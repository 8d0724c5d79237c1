// docs/spec/FEATURES.md "Export and row order (offline)": before a packet at time t is
// counted, every flow expired by t is exported; flows exported together are
// written in the order they were first seen. At end of input every open
// flow is exported, in first-seen order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/FlowHarness.h"

namespace {

using nftest::kSec;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

PacketBuilder udp(const char *src) {
    return PacketBuilder().Eth().IPv4(src, "10.9.9.9").UDP(1000, 2000);
}
PacketBuilder tcp(const char *src, uint8_t flags) {
    return PacketBuilder().Eth().IPv4(src, "10.9.9.9").TCP(1000, 80, flags);
}

std::vector<std::string> sources(const std::vector<nftest::Row> &rows) {
    std::vector<std::string> out;
    for (const auto &r : rows)
        out.push_back(r.at("IPV4_SRC_ADDR"));
    return out;
}

TEST(ExportOrder, FlowsExpiringTogetherAreInFirstSeenOrderNotLastSeen) {
    // X first seen at 0 (then 28 s, 40 s), Z at 5 s (last 25 s), Y at 10 s
    // (last 20 s). No gap reaches 30 s until 60 s, when Y (idle 40 s) and Z
    // (idle 35 s) expire and X (idle 20 s) does not. By last packet Y would
    // come first; by first seen Z does.
    MeterHarness h;
    h.feed(udp("10.0.0.24"), kT0);              // X
    h.feed(udp("10.0.0.26"), kT0 + 5 * kSec);   // Z
    h.feed(udp("10.0.0.25"), kT0 + 10 * kSec);  // Y
    h.feed(udp("10.0.0.25"), kT0 + 20 * kSec);  // Y
    h.feed(udp("10.0.0.26"), kT0 + 25 * kSec);  // Z
    h.feed(udp("10.0.0.24"), kT0 + 28 * kSec);  // X
    h.feed(udp("10.0.0.24"), kT0 + 40 * kSec);  // X
    EXPECT_EQ(h.rows().size(), 0u);
    h.feed(udp("10.0.0.23"), kT0 + 60 * kSec);  // W
    EXPECT_EQ(sources(h.rows()), (std::vector<std::string>{"10.0.0.26", "10.0.0.25"}));
    EXPECT_EQ(sources(h.flush()),
              (std::vector<std::string>{"10.0.0.26", "10.0.0.25", "10.0.0.24", "10.0.0.23"}));
}

TEST(ExportOrder, IdleAndTcpEndedFlowsTogetherAreInFirstSeenOrder) {
    // G first at 0 (last 30 s), E (TCP) first at 1 s (then 20 s), RST at
    // 34 s, F first at 2 s (last 5 s). No gap exceeds 30 s until 35.5 s: F
    // idle 30.5 s > 30 s, E ended and quiet 1.5 s > 1 s; G idle 5.5 s
    // stays. F expires by idleness, E by its end; E was first seen before F.
    MeterHarness h;
    h.feed(udp("10.0.0.7"), kT0);                            // G
    h.feed(tcp("10.0.0.5", nftest::kSyn), kT0 + 1 * kSec);   // E
    h.feed(udp("10.0.0.6"), kT0 + 2 * kSec);                 // F
    h.feed(udp("10.0.0.6"), kT0 + 5 * kSec);                 // F
    h.feed(tcp("10.0.0.5", nftest::kAck), kT0 + 20 * kSec);  // E
    h.feed(udp("10.0.0.7"), kT0 + 30 * kSec);                // G
    h.feed(tcp("10.0.0.5", nftest::kRst), kT0 + 34 * kSec);  // E ends
    EXPECT_EQ(h.rows().size(), 0u);
    h.feed(udp("10.0.0.8"), kT0 + 35 * kSec + 500'000);  // H
    EXPECT_EQ(sources(h.rows()), (std::vector<std::string>{"10.0.0.5", "10.0.0.6"}));
    EXPECT_EQ(sources(h.flush()),
              (std::vector<std::string>{"10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8"}));
}

TEST(ExportOrder, ActiveIdleAndEndedTogether) {
    // A: every 20 s from 0 to 100 s (active timeout at 120.5 s).
    // C (TCP): first at 84 s, RST at 100.5 s (ended, quiet 20 s at 120.5 s).
    // B: first at 85 s, last at 90 s (idle 30.5 s at 120.5 s).
    MeterHarness h;
    for (uint64_t s = 0; s <= 80; s += 20)
        h.feed(udp("10.0.0.1"), kT0 + s * kSec);
    h.feed(tcp("10.0.0.3", nftest::kSyn), kT0 + 84 * kSec);
    h.feed(udp("10.0.0.2"), kT0 + 85 * kSec);
    h.feed(udp("10.0.0.2"), kT0 + 90 * kSec);
    h.feed(udp("10.0.0.1"), kT0 + 100 * kSec);
    h.feed(tcp("10.0.0.3", nftest::kRst), kT0 + 100 * kSec + 500'000);
    EXPECT_EQ(h.rows().size(), 0u);
    h.feed(udp("10.0.0.4"), kT0 + 120 * kSec + 500'000);
    EXPECT_EQ(sources(h.rows()), (std::vector<std::string>{"10.0.0.1", "10.0.0.3", "10.0.0.2"}));
}

TEST(ExportOrder, EndOfInputFlushIsFirstSeenOrder) {
    // First seen P, Q, R; last packets in the reverse order.
    MeterHarness h;
    h.feed(udp("10.0.0.30"), kT0);             // P
    h.feed(udp("10.0.0.20"), kT0 + 1 * kSec);  // Q
    h.feed(udp("10.0.0.10"), kT0 + 2 * kSec);  // R
    h.feed(udp("10.0.0.10"), kT0 + 3 * kSec);
    h.feed(udp("10.0.0.20"), kT0 + 4 * kSec);
    h.feed(udp("10.0.0.30"), kT0 + 5 * kSec);
    EXPECT_EQ(sources(h.flush()),
              (std::vector<std::string>{"10.0.0.30", "10.0.0.20", "10.0.0.10"}));
}

TEST(ExportOrder, ARestartedKeyIsSeenAgainWhenItRestarts) {
    // A at 0, B at 10 s, A again after A's idle timeout at 35 s: B first
    // seen before the new A. At 35 s only the old A is exported (B idle 25 s).
    MeterHarness h;
    h.feed(udp("10.0.0.1"), kT0);
    h.feed(udp("10.0.0.2"), kT0 + 10 * kSec);
    h.feed(udp("10.0.0.1"), kT0 + 35 * kSec);
    EXPECT_EQ(sources(h.rows()), (std::vector<std::string>{"10.0.0.1"}));
    EXPECT_EQ(sources(h.flush()), (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.1"}));
}

TEST(ExportOrder, NoFlowIsDropped) {
    // 300 flows, each one packet, 1 ms apart; every 100th packet comes after
    // a 31 s pause, so flows leave by idle timeout in batches and at flush.
    MeterHarness h;
    uint64_t t = kT0;
    for (int i = 0; i < 300; i++) {
        t += (i % 100 == 99) ? 31 * kSec : 1000;
        std::string src = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250);
        h.feed(PacketBuilder().Eth().IPv4(src, "10.9.9.9").UDP(1, 2), t);
    }
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 300u);
    for (int i = 0; i < 300; i++) {
        std::string src = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250);
        EXPECT_EQ(rows[i].at("IPV4_SRC_ADDR"), src) << i;
    }
}

}  // namespace

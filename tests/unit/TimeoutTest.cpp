// docs/spec/FEATURES.md "Timeouts" and "Time": a packet at t joins its flow unless
// t - last > idle (30 s) or t - first > active (120 s), strictly, on
// microseconds; otherwise the flow is exported first and the packet starts
// a new one. A packet earlier than the latest time seen takes that time.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "support/FlowHarness.h"

namespace {

using nftest::kSec;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

// One UDP conversation per `host` (10.0.0.<host> -> 10.9.9.9).
PacketBuilder udp(int host) {
    std::string src = "10.0.0." + std::to_string(host);
    return PacketBuilder().Eth().IPv4(src, "10.9.9.9").UDP(1000, 2000);
}

// kT0 / 1000 + ms, as FLOW_START/END_MILLISECONDS print it.
std::string wallMs(uint64_t ms_after_t0) {
    return std::to_string(kT0 / 1000 + ms_after_t0);
}

TEST(IdleTimeout, ExactlyThirtySecondsLaterJoins) {
    MeterHarness h;
    h.feed(udp(1), kT0);
    h.feed(udp(1), kT0 + 30 * kSec);  // 30'000'000 - 0 is not > 30'000'000
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[0].at("FLOW_DURATION_MILLISECONDS"), "30000");
}

TEST(IdleTimeout, OneMicrosecondMoreStartsANewFlow) {
    MeterHarness h;
    h.feed(udp(1), kT0);
    h.feed(udp(1), kT0 + 30 * kSec + 1);
    // The old flow went out before the packet was counted.
    ASSERT_EQ(h.rows().size(), 1u);
    EXPECT_EQ(h.rows()[0].at("IN_PKTS"), "1");
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
    // (kT0 + 30'000'001 µs) / 1000 -> kT0/1000 + 30'000
    EXPECT_EQ(rows[1].at("FLOW_START_MILLISECONDS"), wallMs(30'000));
}

TEST(IdleTimeout, IsMeasuredFromTheLastPacketOfEitherDirection) {
    MeterHarness h;
    h.feed(udp(1), kT0);
    // The reply at 20 s refreshes the flow: 45 s - 20 s = 25 s <= 30 s.
    h.feed(PacketBuilder().Eth().IPv4("10.9.9.9", "10.0.0.1").UDP(2000, 1000), kT0 + 20 * kSec);
    h.feed(udp(1), kT0 + 45 * kSec);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[0].at("OUT_PKTS"), "1");
}

TEST(IdleTimeout, Configurable) {
    netflow::MeterConfig config;
    config.timeouts.idle_us = 5 * kSec;
    MeterHarness h(config);
    h.feed(udp(1), kT0);
    h.feed(udp(1), kT0 + 5 * kSec);       // 5 s: joins
    h.feed(udp(1), kT0 + 10 * kSec + 1);  // 5 s + 1 µs: new flow
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
}

TEST(ActiveTimeout, ExactlyOneHundredTwentySecondsJoins) {
    MeterHarness h;
    // Every 20 s from 0 to 120 s: never idle, and 120 s - 0 is not > 120 s.
    for (uint64_t s = 0; s <= 120; s += 20)
        h.feed(udp(1), kT0 + s * kSec);
    // 120 s + 1 µs after the first packet: exported, a new flow starts.
    h.feed(udp(1), kT0 + 120 * kSec + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "7");
    EXPECT_EQ(rows[0].at("FLOW_DURATION_MILLISECONDS"), "120000");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[1].at("FLOW_START_MILLISECONDS"), wallMs(120'000));
}

TEST(ActiveTimeout, Configurable) {
    netflow::MeterConfig config;
    config.timeouts.active_us = 10 * kSec;
    MeterHarness h(config);
    h.feed(udp(1), kT0);
    h.feed(udp(1), kT0 + 6 * kSec);
    h.feed(udp(1), kT0 + 10 * kSec);      // 10 s after the first: joins
    h.feed(udp(1), kT0 + 10 * kSec + 1);  // new flow
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "3");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
}

TEST(Timeouts, EveryExpiredFlowGoesOutBeforeThePacketIsCounted) {
    MeterHarness h;
    h.feed(udp(1), kT0);
    h.feed(udp(2), kT0 + 1 * kSec);
    h.feed(udp(3), kT0 + 40 * kSec);  // flows 1 and 2 are idle > 30 s
    ASSERT_EQ(h.rows().size(), 2u);
    EXPECT_EQ(h.rows()[0].at("IPV4_SRC_ADDR"), "10.0.0.1");
    EXPECT_EQ(h.rows()[1].at("IPV4_SRC_ADDR"), "10.0.0.2");
    EXPECT_EQ(h.flush().size(), 3u);
}

TEST(BackInTime, PacketTakesTheLatestTimeSeen) {
    MeterHarness h;
    h.feed(udp(1), kT0 + 100 * kSec);
    h.feed(udp(2), kT0 + 50 * kSec);  // starts at 100 s
    h.feed(udp(1), kT0 + 90 * kSec);  // counted at 100 s
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("FLOW_DURATION_MILLISECONDS"), "0");  // never negative
    EXPECT_EQ(rows[0].at("FLOW_END_MILLISECONDS"), wallMs(100'000));
    EXPECT_EQ(rows[1].at("FLOW_START_MILLISECONDS"), wallMs(100'000));
    EXPECT_EQ(rows[1].at("FLOW_END_MILLISECONDS"), wallMs(100'000));
}

TEST(BackInTime, AnEarlyStampDoesNotReviveAnExpiredFlow) {
    MeterHarness h;
    h.feed(udp(1), kT0);
    h.feed(udp(2), kT0 + 40 * kSec);  // flow 1 expires (idle 40 s)
    h.feed(udp(1), kT0 + 10 * kSec);  // stamped 10 s, taken as 40 s: a new flow
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].at("IPV4_SRC_ADDR"), "10.0.0.1");
    EXPECT_EQ(rows[0].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[1].at("IPV4_SRC_ADDR"), "10.0.0.2");
    EXPECT_EQ(rows[2].at("IPV4_SRC_ADDR"), "10.0.0.1");
    EXPECT_EQ(rows[2].at("FLOW_START_MILLISECONDS"), wallMs(40'000));
}

TEST(BackInTime, LatestTimeIsKeptAcrossFlows) {
    // Flow 1 at 0; flow 2 at 31 s; flow 1's next packet stamped 29 s is at
    // 31 s, 31 s after flow 1's last: flow 1 expired when it arrived.
    MeterHarness h;
    h.feed(udp(1), kT0);
    h.feed(udp(2), kT0 + 31 * kSec);
    h.feed(udp(1), kT0 + 29 * kSec);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "1");
    EXPECT_EQ(rows[2].at("IPV4_SRC_ADDR"), "10.0.0.1");
}

TEST(MaxFlows, OnlyTheFirstNFlowsAreStarted) {
    netflow::MeterConfig config;
    config.max_flows = 2;
    MeterHarness h(config);
    h.feed(udp(1), kT0);
    h.feed(udp(2), kT0 + 1);
    EXPECT_EQ(h.lastVerdict(), netflow::FlowMeter::Verdict::Counted);
    h.feed(udp(3), kT0 + 2);
    EXPECT_EQ(h.lastVerdict(), netflow::FlowMeter::Verdict::FlowLimitReached);
    h.feed(udp(1), kT0 + 3);  // an existing flow still counts
    EXPECT_EQ(h.lastVerdict(), netflow::FlowMeter::Verdict::Counted);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("IN_PKTS"), "2");
    EXPECT_EQ(rows[1].at("IN_PKTS"), "1");
}

}  // namespace

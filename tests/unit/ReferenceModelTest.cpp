// The flow engine against a direct transcription of docs/spec/FEATURES.md's flow
// rules ("Time", "Timeouts", "TCP end", "Export and row order"), on long
// pseudo-random packet sequences: many flows expiring together for
// different reasons, restarts, captures going back in time. The model is a
// plain map scanned on every packet; FlowMeter/FlowTable use intrusive
// lists and an open-addressing table, so the two are independent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kFin;
using nftest::kPsh;
using nftest::kRst;
using nftest::kSyn;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

struct Pkt {
    int a, b;  // endpoints: host numbers 1..kHosts; a sends to b
    bool tcp;
    uint8_t flags;   // TCP only
    uint64_t stamp;  // capture time, µs
};

// What is compared: who is src, packet count, start and end (µs).
using RowSig = std::tuple<std::string, uint64_t, uint64_t, uint64_t>;

std::string host(int n) {
    return "10.0.0." + std::to_string(n);
}
uint16_t port(int n) {
    return static_cast<uint16_t>(10000 + n);
}

struct ModelFlow {
    int src;
    uint64_t first, last, pkts, seen;
    bool ended = false;
    int fin_from = 0;  // bit 1: src sent FIN, bit 2: dst sent FIN
};

std::vector<RowSig> model(const std::vector<Pkt> &pkts, uint64_t idle, uint64_t active) {
    std::map<std::tuple<int, int, bool>, ModelFlow> open;
    std::vector<RowSig> out;
    uint64_t latest = 0, seen = 0;
    auto emit = [&](const ModelFlow &f) { out.emplace_back(host(f.src), f.pkts, f.first, f.last); };
    for (const Pkt &p : pkts) {
        latest = std::max(latest, p.stamp);
        const uint64_t t = latest;
        // Flows expired by t, and the packet's own flow when its SYN
        // restarts it, go out together before the packet: first-seen order.
        auto key = std::make_tuple(std::min(p.a, p.b), std::max(p.a, p.b), p.tcp);
        std::vector<std::pair<uint64_t, std::tuple<int, int, bool>>> expired;
        for (const auto &[k, f] : open) {
            bool timed_out =
                t - f.last > idle || t - f.first > active || (f.ended && t - f.last > 1'000'000);
            bool syn_restart = k == key && p.tcp && f.ended && (p.flags & (kSyn | kAck)) == kSyn;
            if (timed_out || syn_restart)
                expired.push_back({f.seen, k});
        }
        std::sort(expired.begin(), expired.end());
        for (const auto &e : expired) {
            emit(open.at(e.second));
            open.erase(e.second);
        }
        auto it = open.find(key);
        if (it == open.end())
            it = open.emplace(key, ModelFlow{p.a, t, t, 0, seen++}).first;
        ModelFlow &f = it->second;
        f.last = t;
        f.pkts++;
        if (p.tcp) {
            if (p.flags & kFin)
                f.fin_from |= (p.a == f.src) ? 1 : 2;
            if ((p.flags & kRst) || f.fin_from == 3)
                f.ended = true;
        }
    }
    std::vector<ModelFlow> rest;
    for (const auto &[k, f] : open)
        rest.push_back(f);
    std::sort(rest.begin(), rest.end(),
              [](const ModelFlow &x, const ModelFlow &y) { return x.seen < y.seen; });
    for (const auto &f : rest)
        emit(f);
    return out;
}

std::vector<RowSig> meter(const std::vector<Pkt> &pkts, uint64_t idle, uint64_t active) {
    netflow::MeterConfig config;
    config.timeouts.idle_us = idle;
    config.timeouts.active_us = active;
    MeterHarness h(config);
    for (const Pkt &p : pkts) {
        PacketBuilder b = PacketBuilder().Eth().IPv4(host(p.a), host(p.b));
        if (p.tcp)
            b.TCP(port(p.a), port(p.b), p.flags);
        else
            b.UDP(port(p.a), port(p.b));
        h.feed(b, p.stamp);
    }
    std::vector<RowSig> out;
    for (const auto &r : h.flush()) {
        uint64_t n = std::stoull(r.at("IN_PKTS")) + std::stoull(r.at("OUT_PKTS"));
        // Only ms are printed: compare the model's µs in ms.
        out.emplace_back(r.at("IPV4_SRC_ADDR"), n, std::stoull(r.at("FLOW_START_MILLISECONDS")),
                         std::stoull(r.at("FLOW_END_MILLISECONDS")));
    }
    return out;
}

std::vector<RowSig> toMillis(std::vector<RowSig> rows) {
    for (auto &r : rows) {
        std::get<2>(r) /= 1000;
        std::get<3>(r) /= 1000;
    }
    return rows;
}

std::vector<Pkt> randomTraffic(uint64_t seed, int count, int hosts, uint64_t max_gap_us) {
    uint64_t s = seed;
    auto next = [&](uint64_t n) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return (s >> 33) % n;
    };
    // No SYN+ACK: the model's src is always the first sender.
    const uint8_t flags[] = {kSyn, kAck, kAck | kPsh, kFin | kAck, kRst, kAck, kAck | kPsh};
    std::vector<Pkt> pkts;
    uint64_t t = kT0;
    for (int i = 0; i < count; i++) {
        int a = 1 + static_cast<int>(next(hosts));
        int b = 1 + static_cast<int>(next(hosts - 1));
        if (b >= a)
            b++;
        bool tcp = next(3) != 0;
        uint64_t r = next(100);
        if (r < 3)  // a capture going back in time
            t -= std::min<uint64_t>(t - kT0, next(max_gap_us));
        else if (r < 8)  // a long pause
            t += max_gap_us * 4 + next(max_gap_us);
        else
            t += next(max_gap_us);
        pkts.push_back({a, b, tcp, flags[next(sizeof(flags))], t});
    }
    return pkts;
}

// The meter's rows against the model's over the random traffic of each seed.
void expectModelRows(std::initializer_list<uint64_t> seeds, int hosts, uint64_t max_gap_us,
                     uint64_t idle, uint64_t active) {
    for (uint64_t seed : seeds) {
        auto pkts = randomTraffic(seed, 4000, hosts, max_gap_us);
        auto expected = toMillis(model(pkts, idle, active));
        auto actual = meter(pkts, idle, active);
        ASSERT_EQ(actual.size(), expected.size()) << "seed " << seed;
        for (size_t i = 0; i < expected.size(); i++)
            ASSERT_EQ(actual[i], expected[i]) << "seed " << seed << " row " << i;
    }
}

TEST(ReferenceModel, ShortTimeoutsManyExpiries) {
    expectModelRows({1, 2, 3}, 5, 300'000, 3'000'000, 10'000'000);
}

TEST(ReferenceModel, IdleTimeoutShorterThanTheTcpEndLinger) {
    // An ended TCP flow waits for the shorter of the two: here the idle
    // timeout (FlowTable keeps ended flows in a list of their own).
    expectModelRows({4, 5, 6}, 4, 150'000, 400'000, 5'000'000);
}

TEST(ReferenceModel, DefaultTimeoutsManyFlows) {
    // 60 hosts: up to 3540 conversations, so the table grows and reuses slots.
    const uint64_t idle = 30'000'000, active = 120'000'000;
    auto pkts = randomTraffic(42, 20000, 60, 150'000);
    auto expected = toMillis(model(pkts, idle, active));
    auto actual = meter(pkts, idle, active);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); i++)
        ASSERT_EQ(actual[i], expected[i]) << "row " << i;
    uint64_t total = 0;
    for (const auto &r : actual)
        total += std::get<1>(r);
    EXPECT_EQ(total, pkts.size());  // no packet lost, none counted twice
}

}  // namespace

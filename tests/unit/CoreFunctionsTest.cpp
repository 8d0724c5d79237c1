// The pure functions of the counting core (bpf/core/flow_count.h), directly:
// 128-bit sum of squares, length buckets, expiry boundaries, SYN restart,
// and direction from nf_flow_init / nf_packet_dir.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <vector>

#include "flow_count.h"

namespace {

__extension__ typedef unsigned __int128 u128;

u128 sumOfSquares(const std::vector<uint64_t> &xs) {
    __u64 lo = 0, hi = 0;
    for (uint64_t x : xs)
        nf_add_square_u128(&lo, &hi, x);
    return (u128(hi) << 64) | lo;
}

TEST(AddSquareU128, EdgeValues) {
    const uint64_t values[] = {0,
                               1,
                               2,
                               0xFFFFFFFFULL,
                               0x100000000ULL,
                               0x100000001ULL,
                               0x80000000ULL,
                               0xFFFFFFFFFFFFFFFFULL,
                               0x8000000000000000ULL,
                               0x7FFFFFFFFFFFFFFFULL,
                               0xDEADBEEFCAFEBABEULL};
    for (uint64_t x : values)
        EXPECT_TRUE(sumOfSquares({x}) == u128(x) * x) << x;
    // (2^64 - 1)^2 = 2^128 - 2^65 + 1: hi = 2^64 - 2, lo = 1.
    __u64 lo = 0, hi = 0;
    nf_add_square_u128(&lo, &hi, ~0ULL);
    EXPECT_EQ(lo, 1u);
    EXPECT_EQ(hi, 0xFFFFFFFFFFFFFFFEULL);
}

TEST(AddSquareU128, CarriesAcrossTheLowWord) {
    // (2^32)^2 = 2^64: lo 0, hi 1. Twice (2^32 - 1)^2 = 2^65 - 2^34 + 2.
    EXPECT_TRUE(sumOfSquares({0x100000000ULL}) == (u128(1) << 64));
    EXPECT_TRUE(sumOfSquares({0xFFFFFFFFULL, 0xFFFFFFFFULL}) ==
                (u128(1) << 65) - (u128(1) << 34) + 2);
    // Accumulating into a low word that is almost full carries into hi.
    __u64 lo = ~0ULL, hi = 5;
    nf_add_square_u128(&lo, &hi, 1);
    EXPECT_EQ(lo, 0u);
    EXPECT_EQ(hi, 6u);
}

TEST(AddSquareU128, RandomValuesMatchInt128) {
    uint64_t state = 0x123456789ABCDEFULL;
    auto next = [&] {  // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DULL;
    };
    for (int round = 0; round < 200; round++) {
        std::vector<uint64_t> xs;
        u128 expected = 0;
        int shift = round % 64;  // from small to full-width values
        for (int i = 0; i < 50; i++) {
            uint64_t x = next() >> shift;
            xs.push_back(x);
            expected += u128(x) * x;  // wraps mod 2^128 like the core
        }
        EXPECT_TRUE(sumOfSquares(xs) == expected) << "round " << round;
    }
}

TEST(LenBucket, Boundaries) {
    EXPECT_EQ(nf_len_bucket(0), 0);
    EXPECT_EQ(nf_len_bucket(128), 0);
    EXPECT_EQ(nf_len_bucket(129), 1);
    EXPECT_EQ(nf_len_bucket(256), 1);
    EXPECT_EQ(nf_len_bucket(257), 2);
    EXPECT_EQ(nf_len_bucket(512), 2);
    EXPECT_EQ(nf_len_bucket(513), 3);
    EXPECT_EQ(nf_len_bucket(1024), 3);
    EXPECT_EQ(nf_len_bucket(1025), 4);
    EXPECT_EQ(nf_len_bucket(1514), 4);
    EXPECT_EQ(nf_len_bucket(1515), -1);
    EXPECT_EQ(nf_len_bucket(65535), -1);
}

nf_flow_state stateAt(uint64_t first_us, uint64_t last_us, bool ended) {
    nf_flow_state st;
    std::memset(&st, 0, sizeof(st));
    st.first_us = first_us;
    st.last_us = last_us;
    st.ended = ended ? 1 : 0;
    return st;
}

TEST(FlowExpired, IdleIsStrict) {
    const nf_timeouts t{30'000'000, 120'000'000};
    nf_flow_state st = stateAt(1'000'000, 5'000'000, false);
    EXPECT_EQ(nf_flow_expired(&st, 5'000'000 + 30'000'000, &t), 0);
    EXPECT_EQ(nf_flow_expired(&st, 5'000'000 + 30'000'001, &t), 1);
}

TEST(FlowExpired, ActiveIsStrict) {
    const nf_timeouts t{30'000'000, 120'000'000};
    nf_flow_state st = stateAt(1'000'000, 120'000'000, false);
    EXPECT_EQ(nf_flow_expired(&st, 1'000'000 + 120'000'000, &t), 0);
    EXPECT_EQ(nf_flow_expired(&st, 1'000'000 + 120'000'001, &t), 1);
}

TEST(FlowExpired, EndedWaitsOneSecondStrictly) {
    const nf_timeouts t{30'000'000, 120'000'000};
    nf_flow_state st = stateAt(1'000'000, 2'000'000, true);
    EXPECT_EQ(nf_flow_expired(&st, 3'000'000, &t), 0);
    EXPECT_EQ(nf_flow_expired(&st, 3'000'001, &t), 1);
    nf_flow_state open = stateAt(1'000'000, 2'000'000, false);
    EXPECT_EQ(nf_flow_expired(&open, 3'000'001, &t), 0);
}

// The kernel's flow timer fires at nf_flow_deadline_us + 1: the deadline is
// the last microsecond at which nf_flow_expired is false, whichever of idle,
// active and TCP end comes first.
TEST(FlowDeadline, IsTheLastMicrosecondBeforeExpiry) {
    const nf_timeouts t{30'000'000, 120'000'000};
    const nf_flow_state cases[] = {
        stateAt(1'000'000, 5'000'000, false),    // idle first
        stateAt(1'000'000, 110'000'000, false),  // active first
        stateAt(1'000'000, 2'000'000, true),     // TCP end: the linger
        stateAt(7'000'000, 7'000'000, true),     // ended on its first packet
    };
    const uint64_t expected[] = {35'000'000, 121'000'000, 3'000'000, 8'000'000};
    for (size_t i = 0; i < std::size(cases); i++) {
        const uint64_t deadline = nf_flow_deadline_us(&cases[i], &t);
        EXPECT_EQ(deadline, expected[i]) << i;
        EXPECT_EQ(nf_flow_expired(&cases[i], deadline, &t), 0) << i;
        EXPECT_EQ(nf_flow_expired(&cases[i], deadline + 1, &t), 1) << i;
    }
}

TEST(FlowExpired, TimeBeforeTheLastPacketIsNotExpired) {
    const nf_timeouts t{30'000'000, 120'000'000};
    nf_flow_state st = stateAt(500'000'000, 600'000'000, true);
    EXPECT_EQ(nf_flow_expired(&st, 100, &t), 0);
}

nf_packet tcpPacket(uint8_t flags, bool has_l4 = true) {
    nf_packet p;
    std::memset(&p, 0, sizeof(p));
    p.proto = NF_IPPROTO_TCP;
    p.has_l4 = has_l4 ? 1 : 0;
    p.tcp_flags = flags;
    p.ip_len = 40;
    return p;
}

TEST(RestartOnSyn, OnlyASynWithoutAckOnAnEndedTcpFlow) {
    nf_flow_state ended = stateAt(0, 0, true);
    nf_flow_state open = stateAt(0, 0, false);
    nf_packet syn = tcpPacket(NF_TCP_SYN);
    nf_packet ecn_syn = tcpPacket(0xC2);  // SYN|ECE|CWR: still a SYN without ACK
    nf_packet synack = tcpPacket(NF_TCP_SYN | NF_TCP_ACK);
    nf_packet no_header = tcpPacket(NF_TCP_SYN, false);
    nf_packet udp = tcpPacket(NF_TCP_SYN);
    udp.proto = NF_IPPROTO_UDP;
    EXPECT_EQ(nf_flow_restarts_on_syn(&ended, &syn), 1);
    EXPECT_EQ(nf_flow_restarts_on_syn(&ended, &ecn_syn), 1);
    EXPECT_EQ(nf_flow_restarts_on_syn(&ended, &synack), 0);
    EXPECT_EQ(nf_flow_restarts_on_syn(&open, &syn), 0);
    EXPECT_EQ(nf_flow_restarts_on_syn(&ended, &no_header), 0);
    EXPECT_EQ(nf_flow_restarts_on_syn(&ended, &udp), 0);
}

TEST(FlowInit, SrcIsTheSenderUnlessSynAck) {
    for (int from_lo : {0, 1}) {
        nf_flow_state st;
        std::memset(&st, 0, sizeof(st));
        nf_packet syn = tcpPacket(NF_TCP_SYN);
        nf_flow_init(&st, &syn, from_lo, 7);
        EXPECT_EQ(nf_packet_dir(&st, from_lo), NF_DIR_IN);
        EXPECT_EQ(nf_packet_dir(&st, !from_lo), NF_DIR_OUT);
        EXPECT_EQ(st.first_us, 7u);
        EXPECT_EQ(st.last_us, 7u);

        std::memset(&st, 0, sizeof(st));
        nf_packet synack = tcpPacket(NF_TCP_SYN | NF_TCP_ACK | 0x08 /* PSH */);
        nf_flow_init(&st, &synack, from_lo, 7);
        EXPECT_EQ(nf_packet_dir(&st, from_lo), NF_DIR_OUT);
        EXPECT_EQ(nf_packet_dir(&st, !from_lo), NF_DIR_IN);
    }
}

TEST(FlowCount, UntouchedMinimaAfterInit) {
    // One packet: min = max for TTL and length; no IAT yet.
    nf_flow_state st;
    std::memset(&st, 0, sizeof(st));
    nf_packet p = tcpPacket(NF_TCP_ACK);
    p.ttl = 77;
    p.ip_len = 1234;
    nf_flow_init(&st, &p, 1, 1000);
    nf_flow_count(&st, &p, NF_DIR_IN, 1000);
    EXPECT_EQ(st.min_ttl, 77);
    EXPECT_EQ(st.max_ttl, 77);
    EXPECT_EQ(st.min_len, 1234u);
    EXPECT_EQ(st.max_len, 1234u);
    EXPECT_EQ(st.dir[NF_DIR_IN].pkts, 1u);
    EXPECT_EQ(st.dir[NF_DIR_IN].iat_sum_us, 0u);
    EXPECT_EQ(st.len_buckets[4], 1u);  // 1024 < 1234 <= 1514
}

}  // namespace

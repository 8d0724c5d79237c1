/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The per-packet counters of docs/spec/FEATURES.md, written once for the kernel
 * programs and the offline path. Everything here is integer arithmetic on
 * the packet's parsed fields; the derived features (rates, averages,
 * standard deviations, milliseconds) are computed at export in userspace.
 */
#ifndef FLOW_COUNT_H
#define FLOW_COUNT_H

#include "flow_types.h"

/*
 * A new flow's state for its first packet. `from_lo` is what
 * nf_flow_key_from_packet returned. The src is the first packet's sender,
 * except that a first packet with SYN and ACK came from the server.
 * The caller zeroes *st and then calls nf_flow_count for the packet.
 */
NF_INLINE void nf_flow_init(struct nf_flow_state *st, const struct nf_packet *pkt, int from_lo,
                            __u64 now_us) {
    int synack = pkt->proto == NF_IPPROTO_TCP && pkt->has_l4 &&
                 (pkt->tcp_flags & (NF_TCP_SYN | NF_TCP_ACK)) == (NF_TCP_SYN | NF_TCP_ACK);
    st->src_is_lo = synack ? !from_lo : !!from_lo;
    st->first_us = now_us;
    st->last_us = now_us;
    st->min_ttl = 0xFF;
    st->min_len = 0xFFFFFFFF;
    st->dir[NF_DIR_IN].iat_min_us = ~0ULL;
    st->dir[NF_DIR_OUT].iat_min_us = ~0ULL;
}

/* NF_DIR_IN when the packet goes src->dst. */
NF_INLINE int nf_packet_dir(const struct nf_flow_state *st, int from_lo) {
    return (!!from_lo == st->src_is_lo) ? NF_DIR_IN : NF_DIR_OUT;
}

/* (lo, hi) += x * x, in 128 bits without a 128-bit type. */
NF_INLINE void nf_add_square_u128(__u64 *lo, __u64 *hi, __u64 x) {
    __u64 x_lo = x & 0xFFFFFFFFULL, x_hi = x >> 32;
    __u64 sq_lo = x_lo * x_lo;
    __u64 cross = x_lo * x_hi; /* appears twice: cross * 2^33 */
    __u64 sq_hi = x_hi * x_hi;
    __u64 add = cross << 33;
    sq_lo += add;
    sq_hi += (cross >> 31) + (sq_lo < add);

    *lo += sq_lo;
    *hi += sq_hi + (*lo < sq_lo);
}

NF_INLINE int nf_len_bucket(__u32 len) {
    if (len <= 128)
        return 0;
    if (len <= 256)
        return 1;
    if (len <= 512)
        return 2;
    if (len <= 1024)
        return 3;
    if (len <= 1514)
        return 4;
    return -1;
}

/* Inter-arrival gaps, duration, and packet/byte counts of one direction. */
NF_INLINE void nf_count_direction(struct nf_dir_state *d, const struct nf_packet *pkt,
                                  __u64 now_us) {
    if (d->pkts) {
        __u64 gap = now_us > d->last_us ? now_us - d->last_us : 0;
        if (gap < d->iat_min_us)
            d->iat_min_us = gap;
        if (gap > d->iat_max_us)
            d->iat_max_us = gap;
        d->iat_sum_us += gap;
        nf_add_square_u128(&d->iat_sumsq_lo, &d->iat_sumsq_hi, gap);
    } else {
        d->first_us = now_us;
    }
    d->last_us = now_us;
    d->pkts++;
    d->bytes += pkt->ip_len;
}

/*
 * TCP fields of one direction: flags, window and retransmissions. A segment
 * with payload is a retransmission when its end (seq + payload mod 2^32) is
 * not after the highest end seen, by signed 32-bit difference.
 */
NF_INLINE void nf_count_tcp(struct nf_flow_state *st, struct nf_dir_state *d,
                            const struct nf_packet *pkt, int dir) {
    d->tcp_flags |= pkt->tcp_flags;
    if (pkt->tcp_window > d->win_max)
        d->win_max = pkt->tcp_window;

    if (pkt->payload_len > 0) {
        __u32 end = pkt->tcp_seq + pkt->payload_len;
        if (!d->seq_valid) {
            d->seq_high_end = end;
            d->seq_valid = 1;
        } else if ((__s32)(end - d->seq_high_end) <= 0) {
            d->retrans_pkts++;
            d->retrans_bytes += pkt->ip_len;
        } else {
            d->seq_high_end = end;
        }
    }

    if (pkt->tcp_flags & NF_TCP_FIN)
        st->fin_seen |= (__u8)(1 << dir);
    if ((pkt->tcp_flags & NF_TCP_RST) || st->fin_seen == ((1 << NF_DIR_IN) | (1 << NF_DIR_OUT)))
        st->ended = 1;
}

/* Counts one packet on its flow, in direction `dir`, at time now_us. */
NF_INLINE void nf_flow_count(struct nf_flow_state *st, const struct nf_packet *pkt, int dir,
                             __u64 now_us) {
    struct nf_dir_state *d = &st->dir[dir & 1];

    nf_count_direction(d, pkt, now_us);
    if (now_us > st->last_us)
        st->last_us = now_us;

    if (pkt->ttl < st->min_ttl)
        st->min_ttl = pkt->ttl;
    if (pkt->ttl > st->max_ttl)
        st->max_ttl = pkt->ttl;
    if (pkt->ip_len < st->min_len)
        st->min_len = pkt->ip_len;
    if (pkt->ip_len > st->max_len)
        st->max_len = pkt->ip_len;
    int bucket = nf_len_bucket(pkt->ip_len);
    if (bucket >= 0 && bucket < NF_NUM_LEN_BUCKETS)
        st->len_buckets[bucket]++;

    if (pkt->payload_len > 0)
        st->payload_pkts++;

    if (!pkt->has_l4)
        return;
    if (pkt->proto == NF_IPPROTO_TCP) {
        nf_count_tcp(st, d, pkt, dir & 1);
    } else if ((pkt->proto == NF_IPPROTO_ICMP || pkt->proto == NF_IPPROTO_ICMPV6) &&
               !st->icmp_seen) {
        st->icmp_seen = 1;
        st->icmp_type = pkt->icmp_type;
        st->icmp_code = pkt->icmp_code;
    }
}

/*
 * Whether the flow is over at time now_us (docs/spec/FEATURES.md, "Timeouts" and "TCP
 * end"): idle too long, active too long, or ended and quiet for a second.
 * Comparisons are strict. A packet at now_us joins the flow only when this
 * is false.
 */
NF_INLINE int nf_flow_expired(const struct nf_flow_state *st, __u64 now_us,
                              const struct nf_timeouts *timeouts) {
    /* Live, another CPU may have stamped a slightly later time. */
    __u64 since_last = now_us > st->last_us ? now_us - st->last_us : 0;
    __u64 since_first = now_us > st->first_us ? now_us - st->first_us : 0;

    if (since_last > timeouts->idle_us || since_first > timeouts->active_us)
        return 1;
    return st->ended && since_last > NF_TCP_END_LINGER_US;
}

/*
 * The last time at which nf_flow_expired is still false: from the next
 * microsecond on the flow is over unless a packet came in between (which
 * only moves this later, except the one that ends a TCP flow).
 */
NF_INLINE __u64 nf_flow_deadline_us(const struct nf_flow_state *st,
                                    const struct nf_timeouts *timeouts) {
    __u64 deadline = st->last_us + timeouts->idle_us;
    __u64 active_end = st->first_us + timeouts->active_us;
    if (active_end < deadline)
        deadline = active_end;
    if (st->ended && st->last_us + NF_TCP_END_LINGER_US < deadline)
        deadline = st->last_us + NF_TCP_END_LINGER_US;
    return deadline;
}

/* A SYN without ACK on an ended TCP flow closes it and starts a new one. */
NF_INLINE int nf_flow_restarts_on_syn(const struct nf_flow_state *st, const struct nf_packet *pkt) {
    return st->ended && pkt->proto == NF_IPPROTO_TCP && pkt->has_l4 &&
           (pkt->tcp_flags & (NF_TCP_SYN | NF_TCP_ACK)) == NF_TCP_SYN;
}

#endif /* FLOW_COUNT_H */

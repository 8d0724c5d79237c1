/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One frame through the counting core, in the kernel: the user's filter
 * when there is one (its verdict comes in), parse (Ethernet via the core),
 * the core's default filter (without a user filter, unless count_all_ip),
 * the flow key, then count on the flow's map entry under its lock.
 * Timeouts and TCP end are decided per packet exactly as the offline path
 * decides them (flow_count.h): a packet for a flow that has expired at the
 * packet's time, or a SYN on an ended flow, ends that flow (its final
 * counters go to userspace on the ring buffer) and starts a new one in the
 * same entry. Under the same lock, the core's nf_payload_wanted decides
 * whether userspace needs the packet's payload, on the state just counted,
 * as the offline path decides it; the payload path (netflow_payload_copy.h)
 * delivers it. Shared by the XDP and TC programs.
 */
#ifndef NETFLOW_FRAME_H
#define NETFLOW_FRAME_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "core/flow_count.h"
#include "core/flow_key.h"
#include "core/payload_budget.h"
#include "core/packet_parse.h"
#include "netflow_config.h"
#include "netflow_expiry.h"
#include "netflow_filter.h"
#include "netflow_lock.h"
#include "netflow_maps.h"

static __always_inline void nf_stat(struct nf_kern_stats *stats, int index) {
    if (index >= 0 && index < NF_STAT_COUNT)
        stats->counters[index]++;
}

/* The flow map has no room for this packet's flow: hand the parsed packet
 * to userspace, which counts it on a flow of its own. Its payload is not
 * copied: without the flow's state the budget cannot be applied, and a
 * full map is already the degraded case, counted in NF_STAT_MAP_FULL. */
static __always_inline void nf_send_unmapped_packet(struct nf_kern_stats *stats,
                                                    const struct nf_packet *pkt, __u64 now_us) {
    struct nf_rec_packet rec = {};

    rec.hdr.type = NF_REC_PACKET;
    rec.time_us = now_us;
    rec.pkt = *pkt;
    nf_stat(stats, NF_STAT_MAP_FULL);
    if (bpf_ringbuf_output(&nf_events, &rec, sizeof(rec),
                           nf_ring_flags_len(&nf_events, sizeof(rec), 0)) != 0)
        nf_stat(stats, NF_STAT_RINGBUF_FAILED);
}

/*
 * Counts the packet on a flow's state (the entry's, under its lock, or a
 * new flow's before it is inserted) and returns what userspace wants of its
 * payload (NF_WANT_*), as the offline path asks (FlowMeter::count): only
 * for a packet with payload, on the state that has just counted it. The
 * payload record's flow fields are taken here, from that state.
 */
static __always_inline int nf_count_state(struct nf_flow_state *st, const struct nf_flow_key *key,
                                          const struct nf_packet *pkt, int from_lo, __u64 now_us,
                                          struct nf_rec_payload *payload, int *dir) {
    struct nf_payload_budget budget = nf_budget_config();
    int want = 0;

    *dir = nf_packet_dir(st, from_lo);
    nf_flow_count(st, pkt, *dir, now_us);
    if (pkt->payload_len > 0) {
        want = nf_payload_wanted(st, key, &budget);
        payload->flow_first_us = st->first_us;
        payload->payload_index = st->payload_pkts;
    }
    return want;
}

/* The rest of the payload record's header, once the packet is wanted. */
static __always_inline void nf_payload_header(struct nf_kern_stats *stats,
                                              struct nf_rec_payload *payload,
                                              const struct nf_flow_key *key, __u64 now_us, int want,
                                              int dir) {
    payload->hdr.type = NF_REC_PAYLOAD;
    payload->hdr.reserved = 0;
    payload->time_us = now_us;
    payload->key = *key;
    payload->want = (__u8)want;
    payload->dir = (__u8)dir;
    payload->pad[0] = 0;
    payload->pad[1] = 0;
    nf_stat(stats, NF_STAT_PAYLOAD_WANTED);
}

enum nf_new_flow_result {
    NF_NEW_FLOW_COUNTED,  /* inserted with this packet counted */
    NF_NEW_FLOW_EXISTS,   /* another CPU inserted it first: count on its entry */
    NF_NEW_FLOW_MAP_FULL, /* no room (E2BIG, ENOMEM, any other failure) */
};

/*
 * A flow not in the map: its state is built with this packet already
 * counted, in the per-CPU scratch, and inserted. The new entry needs no
 * lock (no other CPU sees it before the insert) and no second lookup.
 */
static __always_inline int nf_insert_new_flow(struct nf_scratch *scratch,
                                              const struct nf_flow_key *key,
                                              const struct nf_packet *pkt, int from_lo,
                                              __u64 now_us, int *want, int *dir) {
    struct nf_fresh_entry *fresh = &scratch->fresh;
    fresh->lock_word = 0;
    fresh->retired = 0;
    fresh->timer_set = 0;
    __builtin_memset(&fresh->st, 0, sizeof(fresh->st));
    nf_flow_init(&fresh->st, pkt, from_lo, now_us);
    *want = nf_count_state(&fresh->st, key, pkt, from_lo, now_us, &scratch->payload.rec, dir);
    long err = bpf_map_update_elem(&nf_flows, key, fresh, BPF_NOEXIST);
    if (err == 0)
        return NF_NEW_FLOW_COUNTED;
    return err == -EEXIST ? NF_NEW_FLOW_EXISTS : NF_NEW_FLOW_MAP_FULL;
}

/*
 * The DPI budget still wants the packet: unless userspace has marked its
 * flow DPI-done (map nf_dpi_done). A mark holds only for the flow instance
 * it names by first_us: a later flow under the same key is not done. The
 * mark is latched into the flow's own dpi_done under the entry's lock,
 * where nf_payload_wanted sees it from the next packet on like any other
 * state, and deleted. Only packets the budget wants look (the first
 * --dpi-packets payload packets of a flow), so the lookup is rare.
 */
static __always_inline int nf_apply_dpi_done(struct nf_kern_stats *stats,
                                             struct nf_flow_entry *entry,
                                             const struct nf_flow_key *key, __u64 first_us,
                                             int want) {
    struct nf_dpi_done_mark *mark = bpf_map_lookup_elem(&nf_dpi_done, key);
    if (!mark || mark->flow_first_us != first_us)
        return want;

    int latched = 0;
    /* A lock that stays busy leaves the flag unset: the next wanted packet
     * looks at the mark again. */
    if (nf_entry_lock(entry) == 0) {
        /* Another CPU may have restarted the flow since: that one is not
         * done. Two CPUs may both get here: one latches, both stop copying. */
        if (entry->st.first_us == first_us && !entry->st.dpi_done) {
            entry->st.dpi_done = 1;
            latched = 1;
        }
        nf_entry_unlock(entry);
    }
    if (latched) {
        nf_stat(stats, NF_STAT_DPI_DONE_SEEN);
        bpf_map_delete_elem(&nf_dpi_done, key);
    }
    return want & ~NF_WANT_DPI;
}

/*
 * Counts the packet on its entry and returns what userspace wants of its
 * payload (NF_WANT_*), or -1 when the entry's timer (or userspace, through
 * nf_xdp_take) has retired it, or -2 when its lock stayed busy (either way
 * the packet was not counted). Under the lock only plain memory accesses
 * are made (netflow_lock.h), so an ending flow is copied into the per-CPU
 * scratch record there and sent after the unlock, and the payload record's
 * flow fields are taken there too.
 */
static __always_inline int nf_count_on_entry(
    struct nf_kern_stats *stats, struct nf_scratch *scratch, struct nf_flow_entry *entry,
    const struct nf_flow_key *key, const struct nf_packet *pkt, int from_lo, __u64 now_us) {
    struct nf_timeouts timeouts = nf_timeouts_config();
    struct nf_rec_flow_ended *rec = &scratch->ended;
    struct nf_rec_payload *payload = &scratch->payload.rec;
    int ended, dir, want, tcp_end, no_timer;
    __u64 deadline = 0;

    if (nf_entry_lock(entry) != 0)
        return -2;
    if (entry->retired) {
        nf_entry_unlock(entry);
        return -1;
    }
    ended =
        nf_flow_expired(&entry->st, now_us, &timeouts) || nf_flow_restarts_on_syn(&entry->st, pkt);
    if (ended) {
        rec->key = *key;
        rec->state = entry->st;
        __builtin_memset(&entry->st, 0, sizeof(entry->st));
        nf_flow_init(&entry->st, pkt, from_lo, now_us);
    }
    tcp_end = !entry->st.ended;
    want = nf_count_state(&entry->st, key, pkt, from_lo, now_us, payload, &dir);
    tcp_end = tcp_end && entry->st.ended;
    no_timer = !entry->timer_set;
    if (tcp_end)
        deadline = nf_flow_deadline_us(&entry->st, &timeouts);
    nf_entry_unlock(entry);
    if (tcp_end)
        nf_expiry_rearm(entry, key, no_timer, deadline, now_us);

    nf_stat(stats, NF_STAT_COUNTED);
    if (ended) {
        rec->hdr.type = NF_REC_FLOW_ENDED;
        rec->hdr.reserved = 0;
        nf_stat(stats, NF_STAT_FLOWS_ENDED);
        if (bpf_ringbuf_output(&nf_events, rec, sizeof(*rec),
                               nf_ring_flags_len(&nf_events, sizeof(*rec), 0)) != 0)
            nf_stat(stats, NF_STAT_RINGBUF_FAILED);
    }

    if (want & NF_WANT_DPI)
        want = nf_apply_dpi_done(stats, entry, key, payload->flow_first_us, want);
    if (want)
        nf_payload_header(stats, payload, key, now_us, want, dir);
    return want;
}

/* Where a frame that forms no flow goes in the statistics: the core's
 * bucket (nf_unparsed_bucket, the same as the offline path's). */
static __always_inline int nf_unparsed_stat(int parse_result, int default_filter) {
    switch (nf_unparsed_bucket(parse_result, default_filter)) {
        case NF_BUCKET_FILTERED_OUT:
            return NF_STAT_FILTERED_OUT;
        case NF_BUCKET_NOT_IP:
            return NF_STAT_NOT_IP;
        case NF_BUCKET_TRUNCATED:
            return NF_STAT_TRUNCATED;
        default:
            return NF_STAT_MALFORMED;
    }
}

/*
 * A parsed packet that passed the filter, onto its flow. Returns what
 * userspace wants of its payload (NF_WANT_*); when not 0, the per-CPU
 * scratch's payload record holds its header but for the lengths.
 *
 * Inlined. It was a global function, for the verifier: checked once
 * against its argument types instead of once per state the parser's
 * branches leave behind. But the parser's paths now merge before it (the
 * packet in the scratch map, plain offsets after the parse: see
 * nf_count_frame), and inlined the verifier walks fewer instructions, not
 * more (XDP, default knobs: 102,684 against 136,108 as a global
 * function), while each packet saves a BPF-to-BPF
 * call and its return thunk (this kernel: retpolines, SRSO Safe RET):
 * bpf_cost warm 132-137 against 155-192 ns net in alternating runs.
 * tests/kernel/VerifierCostTest holds every configuration under a quarter
 * of the verifier's limit.
 *
 * The caller's statistics and scratch come in as arguments, looked up once
 * per packet: the packet is scratch->pkt.
 */
static __always_inline int nf_count_parsed(struct nf_scratch *scratch,
                                           struct nf_kern_stats *stats) {
    if (!stats || !scratch)
        return 0; /* cannot happen: the caller's pointers */
    const struct nf_packet *pkt = &scratch->pkt;

    __u64 now_us = nf_now_us();
    struct nf_flow_key key = {};
    int from_lo = nf_flow_key_from_packet(pkt, &key);
    struct nf_flow_entry *entry = bpf_map_lookup_elem(&nf_flows, &key);
    if (!entry) {
        int want = 0, dir = 0;
        switch (nf_insert_new_flow(scratch, &key, pkt, from_lo, now_us, &want, &dir)) {
            case NF_NEW_FLOW_COUNTED:
                nf_stat(stats, NF_STAT_COUNTED);
                nf_stat(stats, NF_STAT_FLOWS_STARTED);
                nf_expiry_start(&key, &scratch->fresh.st, now_us);
                if (want)
                    nf_payload_header(stats, &scratch->payload.rec, &key, now_us, want, dir);
                return want;
            case NF_NEW_FLOW_EXISTS:
                entry = bpf_map_lookup_elem(&nf_flows, &key);
                break;
            default:
                break;
        }
        if (!entry) {
            nf_send_unmapped_packet(stats, pkt, now_us);
            return 0;
        }
    }
    int want = nf_count_on_entry(stats, scratch, entry, &key, pkt, from_lo, now_us);
    if (want < 0) {
        /* -1: its timer (or userspace) just ended the flow and is deleting
         * the entry: the packet starts a new flow, in userspace, like a
         * map-full one. -2: the entry's lock stayed busy; the packet is
         * counted in userspace the same way rather than lost. */
        nf_stat(stats, want == -1 ? NF_STAT_EXPIRY_RACED : NF_STAT_LOCK_BUSY);
        nf_send_unmapped_packet(stats, pkt, now_us);
        return 0;
    }
    return want;
}

/* The TC program's way in (nf_count_parsed says why). A global function's
 * pointer arguments may be NULL to the verifier: nf_count_parsed tests. */
__attribute__((noinline)) int nf_count_parsed_tc(struct nf_scratch *scratch,
                                                 struct nf_kern_stats *stats) {
    return nf_count_parsed(scratch, stats);
}

/*
 * What counting a frame leaves for the payload path. When `want` is not 0,
 * scratch->payload.rec holds the payload record's header but for its
 * lengths, which depend on how the program reads the frame.
 */
struct nf_frame_result {
    struct nf_kern_stats *stats;
    struct nf_scratch *scratch;
    __u32 l3_off; /* the IP header, from the start of the frame */
    __u32 ip_len;
    int want; /* NF_WANT_* of the payload; 0: userspace needs nothing of the frame */
};

/* The frame from its Ethernet header on: [data, end), and the user
 * filter's verdict on it (enum nf_filter_verdict). res->want is 0 unless
 * userspace wants the frame's payload, and then res->stats and
 * res->scratch are set. `tc`: a constant, 1 in the TC program (the
 * counting then goes through the global function nf_count_parsed_tc). */
static __always_inline void nf_count_frame(struct nf_frame_result *res, const __u8 *data,
                                           const __u8 *end, int verdict, const int tc) {
    __u32 zero = 0;
    /* All of it: clang may read a field before testing `want`. */
    __builtin_memset(res, 0, sizeof(*res));
    struct nf_kern_stats *stats = bpf_map_lookup_elem(&nf_stats, &zero);
    struct nf_scratch *scratch = bpf_map_lookup_elem(&nf_scratch_map, &zero);
    if (!stats || !scratch)
        return; /* cannot happen: arrays of one entry */
    nf_stat(stats, NF_STAT_SEEN);
    /* Before any parsing: the filter ran on the frame, as tcpdump's does. */
    if (verdict == NF_VERDICT_FAIL) {
        nf_stat(stats, NF_STAT_FILTERED_OUT);
        return;
    }

    /* Parsed into the per-CPU scratch, not onto the stack: the verifier
     * tracks what the stack holds, field by field, and would keep apart
     * parser paths that differ only in the values parsed. */
    struct nf_packet *pkt = &scratch->pkt;
    __builtin_memset(pkt, 0, sizeof(*pkt));
    const __u8 *l3;
    const int default_filter = verdict == NF_VERDICT_DEFAULT && !count_all_ip;
    int rc = nf_parse_frame(data, end, &l3, pkt);
    if (rc != NF_PARSE_OK) {
        nf_stat(stats, nf_unparsed_stat(rc, default_filter));
        return;
    }
    if (default_filter && !nf_default_filter_pass(pkt)) {
        nf_stat(stats, NF_STAT_FILTERED_OUT);
        return;
    }
    /* Plain numbers from here on, no packet pointer: the parser's paths
     * leave l3 at different offsets, and a live packet pointer would keep
     * the verifier from merging them after the call. The empty asm keeps
     * clang from computing the offset after the call instead. */
    __u32 l3_off = (__u32)(l3 - data);
    __u32 ip_len = pkt->ip_len;
    asm volatile("" : "+r"(l3_off), "+r"(ip_len));

    int want = tc ? nf_count_parsed_tc(scratch, stats) : nf_count_parsed(scratch, stats);
    if (!want)
        return;
    res->stats = stats;
    res->scratch = scratch;
    res->l3_off = l3_off;
    res->ip_len = ip_len;
    res->want = want;
}

#endif /* NETFLOW_FRAME_H */

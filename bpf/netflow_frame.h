/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One frame through the counting core, in the kernel: parse (Ethernet via
 * the core), the filter (the core's default filter unless count_all_ip),
 * the flow key, then count on the flow's map entry under its lock.
 * Timeouts and TCP end are decided per packet exactly as the offline path
 * decides them (flow_count.h): a packet for a flow that has expired at the
 * packet's time, or a SYN on an ended flow, ends that flow (its final
 * counters go to userspace on the ring buffer) and starts a new one in the
 * same entry. Shared by the XDP and TC programs.
 */
#ifndef NETFLOW_FRAME_H
#define NETFLOW_FRAME_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "flow_count.h"
#include "flow_key.h"
#include "packet_parse.h"
#include "netflow_config.h"
#include "netflow_maps.h"

static __always_inline void nf_stat(struct nf_kern_stats *stats, int index) {
    if (index >= 0 && index < NF_STAT_COUNT)
        stats->counters[index]++;
}

/* The flow map has no room for this packet's flow: hand the parsed packet
 * to userspace, which counts it on a flow of its own. */
static __always_inline void nf_send_unmapped_packet(struct nf_kern_stats *stats,
                                                    const struct nf_packet *pkt, __u64 now_us) {
    struct nf_rec_packet rec = {};

    rec.hdr.type = NF_REC_PACKET;
    rec.time_us = now_us;
    rec.pkt = *pkt;
    nf_stat(stats, NF_STAT_MAP_FULL);
    if (bpf_ringbuf_output(&nf_events, &rec, sizeof(rec), 0) != 0)
        nf_stat(stats, NF_STAT_RINGBUF_FAILED);
}

/*
 * The map entry of the packet's flow, created when there is none. A new
 * entry holds nf_flow_init's state; the packet is counted on it under the
 * lock like any other. NULL when the map has no room (E2BIG preallocated,
 * ENOMEM otherwise, or any other failure to insert): the caller still
 * accounts the packet.
 */
static __always_inline struct nf_flow_entry *nf_flow_entry_get(struct nf_scratch *scratch,
                                                               const struct nf_flow_key *key,
                                                               const struct nf_packet *pkt,
                                                               int from_lo, __u64 now_us) {
    struct nf_flow_entry *entry = bpf_map_lookup_elem(&nf_flows, key);
    if (entry)
        return entry;

    struct nf_fresh_entry *fresh = &scratch->fresh;
    __builtin_memset(&fresh->st, 0, sizeof(fresh->st));
    nf_flow_init(&fresh->st, pkt, from_lo, now_us);
    /* EEXIST: another CPU created the flow in between; count on its entry. */
    long err = bpf_map_update_elem(&nf_flows, key, fresh, BPF_NOEXIST);
    if (err != 0 && err != -EEXIST)
        return NULL;
    return bpf_map_lookup_elem(&nf_flows, key);
}

/*
 * Counts the packet on its entry. Under the lock only plain memory accesses
 * are allowed (no helper calls), so an ending flow is copied into the
 * per-CPU scratch record there and sent after the unlock.
 */
static __always_inline void nf_count_on_entry(
    struct nf_kern_stats *stats, struct nf_scratch *scratch, struct nf_flow_entry *entry,
    const struct nf_flow_key *key, const struct nf_packet *pkt, int from_lo, __u64 now_us) {
    struct nf_timeouts timeouts = nf_timeouts_config();
    struct nf_rec_flow_ended *rec = &scratch->ended;
    int ended;

    bpf_spin_lock(&entry->lock);
    ended =
        nf_flow_expired(&entry->st, now_us, &timeouts) || nf_flow_restarts_on_syn(&entry->st, pkt);
    if (ended) {
        rec->key = *key;
        rec->state = entry->st;
        __builtin_memset(&entry->st, 0, sizeof(entry->st));
        nf_flow_init(&entry->st, pkt, from_lo, now_us);
    }
    nf_flow_count(&entry->st, pkt, nf_packet_dir(&entry->st, from_lo), now_us);
    bpf_spin_unlock(&entry->lock);

    nf_stat(stats, NF_STAT_COUNTED);
    if (ended) {
        rec->hdr.type = NF_REC_FLOW_ENDED;
        rec->hdr.reserved = 0;
        nf_stat(stats, NF_STAT_FLOWS_ENDED);
        if (bpf_ringbuf_output(&nf_events, rec, sizeof(*rec), 0) != 0)
            nf_stat(stats, NF_STAT_RINGBUF_FAILED);
    }
}

/* Where a frame that forms no flow goes in the statistics (the buckets of
 * the offline path's CaptureCounters; there, without --filter, "not IP" is
 * part of "filtered out"). */
static __always_inline int nf_parse_stat(int parse_result) {
    if (parse_result == NF_PARSE_NOT_IP)
        return NF_STAT_NOT_IP;
    if (parse_result == NF_PARSE_TRUNCATED)
        return NF_STAT_TRUNCATED;
    return NF_STAT_MALFORMED;
}

/* The frame from its Ethernet header on: [data, end). */
static __always_inline void nf_count_frame(const __u8 *data, const __u8 *end) {
    __u32 zero = 0;
    struct nf_kern_stats *stats = bpf_map_lookup_elem(&nf_stats, &zero);
    struct nf_scratch *scratch = bpf_map_lookup_elem(&nf_scratch_map, &zero);
    if (!stats || !scratch)
        return; /* cannot happen: arrays of one entry */
    nf_stat(stats, NF_STAT_SEEN);

    struct nf_packet pkt = {};
    const __u8 *l3;
    __u16 ethertype;
    if (nf_parse_ethernet(data, end, &l3, &ethertype, &pkt.vlan_id) < 0) {
        nf_stat(stats, NF_STAT_NOT_IP);
        return;
    }
    int rc = nf_parse_l3(l3, end, ethertype, &pkt);
    if (rc != NF_PARSE_OK) {
        nf_stat(stats, nf_parse_stat(rc));
        return;
    }
    if (!count_all_ip && !nf_default_filter_pass(&pkt)) {
        nf_stat(stats, NF_STAT_FILTERED_OUT);
        return;
    }

    __u64 now_us = nf_now_us();
    struct nf_flow_key key = {};
    int from_lo = nf_flow_key_from_packet(&pkt, &key);
    struct nf_flow_entry *entry = nf_flow_entry_get(scratch, &key, &pkt, from_lo, now_us);
    if (!entry) {
        nf_send_unmapped_packet(stats, &pkt, now_us);
        return;
    }
    nf_count_on_entry(stats, scratch, entry, &key, &pkt, from_lo, now_us);
}

#endif /* NETFLOW_FRAME_H */

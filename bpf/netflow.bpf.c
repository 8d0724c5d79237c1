// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * XDP ingress program: parse, filter and count each packet into the flow
 * map with the shared counting core. This first version counts only; the
 * payload path, statistics and TC egress come with the live capture.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flow_count.h"
#include "flow_key.h"
#include "packet_parse.h"

/* A flow map value: the core's state behind a lock, because several CPUs
 * can count packets of the same flow. */
struct nf_flow_entry {
    struct bpf_spin_lock lock;
    __u32 pad;
    struct nf_flow_state st;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, struct nf_flow_key);
    __type(value, struct nf_flow_entry);
} nf_flows SEC(".maps");

/* A zeroed entry to insert for a new flow (too large for the stack). */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nf_flow_entry);
} nf_scratch SEC(".maps");

SEC("xdp")
int nf_xdp_count(struct xdp_md *ctx) {
    const __u8 *data = (const __u8 *)(long)ctx->data;
    const __u8 *end = (const __u8 *)(long)ctx->data_end;
    struct nf_packet pkt = {};
    struct nf_flow_key key = {};
    const __u8 *l3;
    __u16 ethertype;

    if (nf_parse_ethernet(data, end, &l3, &ethertype, &pkt.vlan_id) < 0)
        return XDP_PASS;
    if (nf_parse_l3(l3, end, ethertype, &pkt) != NF_PARSE_OK || !nf_default_filter_pass(&pkt))
        return XDP_PASS;

    int from_lo = nf_flow_key_from_packet(&pkt, &key);
    __u64 now_us = bpf_ktime_get_ns() / 1000;

    struct nf_flow_entry *entry = bpf_map_lookup_elem(&nf_flows, &key);
    if (!entry) {
        __u32 zero = 0;
        struct nf_flow_entry *fresh = bpf_map_lookup_elem(&nf_scratch, &zero);
        if (!fresh)
            return XDP_PASS;
        __builtin_memset(&fresh->st, 0, sizeof(fresh->st));
        nf_flow_init(&fresh->st, &pkt, from_lo, now_us);
        bpf_map_update_elem(&nf_flows, &key, fresh, BPF_NOEXIST);
        entry = bpf_map_lookup_elem(&nf_flows, &key);
        if (!entry)
            return XDP_PASS;
    }

    bpf_spin_lock(&entry->lock);
    nf_flow_count(&entry->st, &pkt, nf_packet_dir(&entry->st, from_lo), now_us);
    bpf_spin_unlock(&entry->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The reference flow counter of bpf_cost: what any XDP flow counter has to
 * do at the least, to weigh netflow's program against. Ethernet, IPv4 or
 * IPv6 (no VLAN tags, no IPv6 extension headers), TCP/UDP ports, and a
 * unidirectional 5-tuple in a hash map whose value is {packets, bytes},
 * added to atomically because several CPUs may count the same flow. A miss
 * inserts the flow. Nothing else: no statistics, no timestamps, no locks.
 *
 * The map is sized by bpf_cost to netflow's flow map (both preallocated
 * hash maps, the kernel's default), and the key has the size of netflow's,
 * so that hashing and lookups cost the same per byte.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct mc_key {
    __u8 saddr[16]; /* IPv4 in the first 4 bytes, the rest zero */
    __u8 daddr[16];
    __be16 sport; /* 0 for other protocols and later fragments */
    __be16 dport;
    __u8 proto;
    __u8 pad[3]; /* explicit and zeroed: the hash covers every key byte */
};
_Static_assert(sizeof(struct mc_key) == 40, "the size of netflow's struct nf_flow_key");

struct mc_value {
    __u64 packets;
    __u64 bytes; /* whole frames */
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536); /* set to netflow's flow map size before load */
    __type(key, struct mc_key);
    __type(value, struct mc_value);
} mc_flows SEC(".maps");

/* The TCP/UDP ports at l4, left 0 when not captured. */
static __always_inline void mc_ports(struct mc_key *key, const void *l4, const void *end) {
    if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP)
        return;
    const __be16 *ports = l4;
    if ((const void *)(ports + 2) > end)
        return;
    key->sport = ports[0];
    key->dport = ports[1];
}

SEC("xdp")
int mc_count(struct xdp_md *ctx) {
    const void *data = (const void *)(unsigned long)ctx->data;
    const void *end = (const void *)(unsigned long)ctx->data_end;
    const struct ethhdr *eth = data;
    struct mc_key key = {};

    if ((const void *)(eth + 1) > end)
        return XDP_PASS;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        const struct iphdr *ip = (const void *)(eth + 1);
        if ((const void *)(ip + 1) > end || ip->ihl < 5)
            return XDP_PASS;
        __builtin_memcpy(key.saddr, &ip->saddr, 4);
        __builtin_memcpy(key.daddr, &ip->daddr, 4);
        key.proto = ip->protocol;
        /* A later fragment has no L4 header. */
        if (!(ip->frag_off & bpf_htons(0x1FFF)))
            mc_ports(&key, (const __u8 *)ip + ip->ihl * 4, end);
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        const struct ipv6hdr *ip6 = (const void *)(eth + 1);
        if ((const void *)(ip6 + 1) > end)
            return XDP_PASS;
        __builtin_memcpy(key.saddr, &ip6->saddr, 16);
        __builtin_memcpy(key.daddr, &ip6->daddr, 16);
        key.proto = ip6->nexthdr;
        mc_ports(&key, ip6 + 1, end);
    } else {
        return XDP_PASS;
    }

    __u64 bytes = (__u64)(end - data);
    struct mc_value *value = bpf_map_lookup_elem(&mc_flows, &key);
    if (!value) {
        struct mc_value first = {.packets = 1, .bytes = bytes};
        if (bpf_map_update_elem(&mc_flows, &key, &first, BPF_NOEXIST) == 0)
            return XDP_PASS;
        /* Another CPU inserted it meanwhile (or the map is full: then the
         * lookup fails too and the packet goes uncounted). */
        value = bpf_map_lookup_elem(&mc_flows, &key);
        if (!value)
            return XDP_PASS;
    }
    __sync_fetch_and_add(&value->packets, 1);
    __sync_fetch_and_add(&value->bytes, bytes);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

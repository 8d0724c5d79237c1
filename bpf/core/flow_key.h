/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The canonical bidirectional flow key (docs/spec/FEATURES.md, "Key"): IP version,
 * both addresses, both ports, protocol and outer VLAN. Only TCP and UDP
 * have ports; every other protocol is keyed with 0/0, so an ICMP echo and
 * its reply are one flow.
 */
#ifndef FLOW_KEY_H
#define FLOW_KEY_H

#include "flow_types.h"

/* Byte-wise comparison of two 16-byte addresses: <0, 0 or >0. */
NF_INLINE int nf_addr_cmp(const __u8 *a, const __u8 *b) {
    NF_UNROLL
    for (int i = 0; i < 16; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

NF_INLINE int nf_proto_has_ports(__u8 proto) {
    return proto == NF_IPPROTO_TCP || proto == NF_IPPROTO_UDP;
}

/*
 * Builds the key of the packet's flow. Returns 1 when the packet's sender is
 * the key's lo endpoint (both endpoints equal: 1), which with the flow's
 * src_is_lo gives the packet's direction.
 */
NF_INLINE int nf_flow_key_from_packet(const struct nf_packet *pkt, struct nf_flow_key *key) {
    __u16 sport = 0, dport = 0;
    if (pkt->has_l4 && nf_proto_has_ports(pkt->proto)) {
        sport = pkt->sport;
        dport = pkt->dport;
    }

    int cmp = nf_addr_cmp(pkt->saddr, pkt->daddr);
    int from_lo = cmp < 0 || (cmp == 0 && sport <= dport);
    const __u8 *lo = from_lo ? pkt->saddr : pkt->daddr;
    const __u8 *hi = from_lo ? pkt->daddr : pkt->saddr;

    NF_UNROLL
    for (int i = 0; i < 16; i++) {
        key->addr_lo[i] = lo[i];
        key->addr_hi[i] = hi[i];
    }
    key->port_lo = from_lo ? sport : dport;
    key->port_hi = from_lo ? dport : sport;
    key->vlan_id = pkt->vlan_id;
    key->proto = pkt->proto;
    key->ip_version = pkt->ip_version;
    return from_lo;
}

#endif /* FLOW_KEY_H */

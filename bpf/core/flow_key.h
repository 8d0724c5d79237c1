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

/*
 * Addresses are handled a 32-bit word at a time: 4 loads and compares
 * instead of 16 (the BPF backend never merges byte loads). The words are
 * read through a may_alias type from struct nf_packet, whose alignment (4)
 * they share, and compared in big-endian order, which orders them exactly
 * as the bytes compare. Keys are written 16 bits at a time (struct
 * nf_flow_key is 2-aligned).
 */
typedef __u32 __attribute__((may_alias)) nf_alias_u32;
typedef __u16 __attribute__((may_alias)) nf_alias_u16;

NF_INLINE __u32 nf_be_word(__u32 w) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap32(w);
#else
    return w;
#endif
}

/* Byte-wise comparison of two 16-byte addresses of a struct nf_packet:
 * <0, 0 or >0. */
NF_INLINE int nf_addr_cmp(const __u8 *a, const __u8 *b) {
    const nf_alias_u32 *wa = (const nf_alias_u32 *)(const void *)a;
    const nf_alias_u32 *wb = (const nf_alias_u32 *)(const void *)b;
    NF_UNROLL
    for (int i = 0; i < 4; i++) {
        if (wa[i] != wb[i])
            return nf_be_word(wa[i]) < nf_be_word(wb[i]) ? -1 : 1;
    }
    return 0;
}

/* A 16-byte address into a key field. */
NF_INLINE void nf_addr_copy(__u8 *dst, const __u8 *src) {
    nf_alias_u16 *d = (nf_alias_u16 *)(void *)dst;
    const nf_alias_u16 *s = (const nf_alias_u16 *)(const void *)src;
    NF_UNROLL
    for (int i = 0; i < 8; i++)
        d[i] = s[i];
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

    nf_addr_copy(key->addr_lo, lo);
    nf_addr_copy(key->addr_hi, hi);
    key->port_lo = from_lo ? sport : dport;
    key->port_hi = from_lo ? dport : sport;
    key->vlan_id = pkt->vlan_id;
    key->proto = pkt->proto;
    key->ip_version = pkt->ip_version;
    return from_lo;
}

#endif /* FLOW_KEY_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one definition of every struct the kernel programs and userspace
 * share: the parsed packet, the canonical flow key and the per-flow
 * counters. Both compilers include this file; the C++ side static_asserts
 * the layout (userspace/flow/LayoutChecks.cpp), so there is never a mirror.
 *
 * Times are microseconds. Offline they are capture timestamps; live they
 * are CLOCK_MONOTONIC, converted to wall time once in userspace.
 */
#ifndef FLOW_TYPES_H
#define FLOW_TYPES_H

#include "nf_compat.h"

#define NF_IPPROTO_ICMP 1
#define NF_IPPROTO_TCP 6
#define NF_IPPROTO_UDP 17
#define NF_IPPROTO_ICMPV6 58

#define NF_TCP_FIN 0x01
#define NF_TCP_SYN 0x02
#define NF_TCP_RST 0x04
#define NF_TCP_ACK 0x10

/* Index into nf_flow_state.dir: IN is src->dst, OUT is dst->src. */
#define NF_DIR_IN 0
#define NF_DIR_OUT 1

/* Length buckets of NUM_PKTS_*_BYTES: upper bounds, inclusive. */
#define NF_NUM_LEN_BUCKETS 5

/* One packet as the parser saw it. Addresses in network order, IPv4 in the
 * first 4 bytes with the rest zero; ports and lengths in host order. */
struct nf_packet {
    __u8 saddr[16];
    __u8 daddr[16];
    __u32 ip_len;           /* IPv4 total length / IPv6 payload length + 40 */
    __u32 payload_len;      /* ip_len minus IP, extension and L4 headers */
    __u32 payload_offset;   /* from the start of the IP header */
    __u32 payload_captured; /* payload bytes present in the capture */
    __u32 tcp_seq;
    __u16 sport;
    __u16 dport;
    __u16 tcp_window;
    __u16 vlan_id;   /* outer 802.1Q/802.1ad tag, 0 when untagged */
    __u8 ip_version; /* 4 or 6 */
    __u8 proto;      /* upper-layer protocol (after IPv6 extensions) */
    __u8 ttl;        /* IPv4 TTL / IPv6 hop limit */
    __u8 tcp_flags;
    __u8 icmp_type;
    __u8 icmp_code;
    __u8 has_l4;         /* the fixed L4 header was captured: ports valid */
    __u8 later_fragment; /* IPv4 offset != 0 or IPv6 fragment offset != 0 */
};

/* flow_key.h reads the addresses a 32-bit word at a time. */
NF_STATIC_ASSERT(__builtin_offsetof(struct nf_packet, saddr) == 0, "nf_packet layout");
NF_STATIC_ASSERT(__builtin_offsetof(struct nf_packet, daddr) == 16, "nf_packet layout");

/* Canonical bidirectional key: the endpoint (addr, port) that compares lower
 * byte-wise comes first, so both directions map to one key. */
struct nf_flow_key {
    __u8 addr_lo[16];
    __u8 addr_hi[16];
    __u16 port_lo;
    __u16 port_hi;
    __u16 vlan_id;
    __u8 proto;
    __u8 ip_version;
};

/* Counters of one direction. */
struct nf_dir_state {
    __u64 bytes;
    __u64 retrans_bytes;
    __u64 first_us;
    __u64 last_us;
    __u64 iat_min_us;
    __u64 iat_max_us;
    __u64 iat_sum_us;
    /* Sum of squared gaps, 128 bits (lo, hi): gaps of an hour squared would
     * overflow 64 bits after a few thousand packets. */
    __u64 iat_sumsq_lo;
    __u64 iat_sumsq_hi;
    __u32 pkts;
    __u32 retrans_pkts;
    __u32 seq_high_end; /* highest (seq + payload) mod 2^32 seen */
    __u16 win_max;
    __u8 tcp_flags;
    __u8 seq_valid; /* seq_high_end has been set */
};

struct nf_flow_state {
    struct nf_dir_state dir[2]; /* NF_DIR_IN, NF_DIR_OUT */
    __u64 first_us;
    __u64 last_us;
    __u32 len_buckets[NF_NUM_LEN_BUCKETS];
    __u32 min_len;
    __u32 max_len;
    __u32 payload_pkts; /* packets with L4 payload, both directions */
    __u8 min_ttl;
    __u8 max_ttl;
    __u8 src_is_lo; /* the flow's src is the key's lo endpoint */
    __u8 icmp_seen; /* icmp_type/code hold the first ICMP header */
    __u8 icmp_type;
    __u8 icmp_code;
    __u8 fin_seen; /* bit per direction: 1 << NF_DIR_IN, 1 << NF_DIR_OUT */
    __u8 ended;    /* RST, or FIN from each side */
    __u8 dpi_done; /* userspace has what it needs; stop copying payload */
    __u8 pad[7];
};

/* Timeouts in microseconds (docs/spec/FEATURES.md, "Timeouts"). */
struct nf_timeouts {
    __u64 idle_us;
    __u64 active_us;
};

/* After a TCP end, packets within this much of the last one still count. */
#define NF_TCP_END_LINGER_US 1000000ULL

#endif /* FLOW_TYPES_H */

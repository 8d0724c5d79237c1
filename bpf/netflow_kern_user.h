/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the kernel programs (netflow.bpf.c) and their userspace reader share
 * beyond the counting core: the flow map's value, the statistics indices and
 * the ring buffer records. Both compilers include this file; the C++ side
 * static_asserts the layout (userspace/kernel/KernelLayoutChecks.cpp), so
 * nothing here is ever mirrored.
 */
#ifndef NETFLOW_KERN_USER_H
#define NETFLOW_KERN_USER_H

#include "flow_kern_user.h"

/*
 * The flow map value's lock. The programs need the kernel's own struct
 * bpf_spin_lock (the verifier finds it by its BTF type name); userspace only
 * carries its 4 bytes, because <linux/bpf.h> cannot be included next to
 * libpcap's <pcap/bpf.h> (both define struct bpf_insn). The size is checked
 * against the real struct in userspace/kernel/KernelLayoutChecks.cpp.
 */
#ifdef __bpf__
#include <linux/bpf.h>
#define NF_SPIN_LOCK struct bpf_spin_lock
#else
struct nf_spin_lock_word {
    __u32 val;
};
#define NF_SPIN_LOCK struct nf_spin_lock_word
#endif

/* Default map sizes, changed with bpf_map__set_max_entries before load. */
#define NF_FLOW_MAP_ENTRIES 65536
#define NF_EVENTS_BYTES (4U << 20) /* ring buffer: a power of 2, whole pages */

/*
 * A flow map value: the core's state behind a lock, because the XDP and TC
 * programs on several CPUs count packets of the same flow. The lock is the
 * kernel's; userspace reads the value with BPF_F_LOCK, which copies it under
 * the lock and leaves the lock word zero.
 */
struct nf_flow_entry {
    NF_SPIN_LOCK lock;
    __u32 pad;
    struct nf_flow_state st;
};

/*
 * The statistics map is a per-CPU array of one struct nf_kern_stats;
 * userspace sums the CPUs. Every frame a program sees lands in exactly one
 * of COUNTED, MAP_FULL, FILTERED_OUT, NOT_IP, TRUNCATED or MALFORMED, so
 * SEEN is their sum: nothing is lost unaccounted. FLOWS_ENDED and
 * RINGBUF_FAILED count events, not frames.
 */
enum nf_stat_index {
    NF_STAT_SEEN = 0,
    NF_STAT_COUNTED,        /* counted on a flow in the flow map */
    NF_STAT_MAP_FULL,       /* no room in the flow map: sent as NF_REC_PACKET */
    NF_STAT_FILTERED_OUT,   /* IP, but not IPv4 TCP/UDP/ICMP (the default filter) */
    NF_STAT_NOT_IP,         /* no IPv4/IPv6 header (ARP, ..., or a cut link header) */
    NF_STAT_TRUNCATED,      /* IP header not captured in full */
    NF_STAT_MALFORMED,      /* bad IP version, header length or total length */
    NF_STAT_FLOWS_ENDED,    /* flows ended in the kernel, sent as NF_REC_FLOW_ENDED */
    NF_STAT_RINGBUF_FAILED, /* ring buffer full: that record is lost (and counted) */
    NF_STAT_COUNT,
};

struct nf_kern_stats {
    __u64 counters[NF_STAT_COUNT];
};

/* Ring buffer records. Each starts with this header; userspace checks the
 * type and the record's size before it reads the rest. */
enum nf_record_type {
    NF_REC_FLOW_ENDED = 1,
    NF_REC_PACKET = 2,
};

struct nf_rec_header {
    __u32 type; /* enum nf_record_type */
    __u32 reserved;
};

/*
 * A flow the kernel ended because a packet of its key arrived after it had
 * expired (idle, active, TCP end + linger) or as a SYN on an ended flow: its
 * final counters. The packet started a new flow in the same map entry.
 */
struct nf_rec_flow_ended {
    struct nf_rec_header hdr;
    struct nf_flow_key key;
    struct nf_flow_state state;
};

/*
 * A packet that passed the filter but found no room in the flow map, parsed,
 * with the time the kernel stamped it: userspace counts it on its own flow
 * (nf_flow_key_from_packet, nf_flow_init, nf_flow_count), so it is not lost.
 */
struct nf_rec_packet {
    struct nf_rec_header hdr;
    __u64 time_us;
    struct nf_packet pkt;
    __u32 pad;
};

#endif /* NETFLOW_KERN_USER_H */

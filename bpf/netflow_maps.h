/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every map of the kernel programs, in one place. Sizes are defaults:
 * userspace sets them with bpf_map__set_max_entries between open and load.
 */
#ifndef NETFLOW_MAPS_H
#define NETFLOW_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netflow_kern_user.h"

/* The flows, by canonical key. A plain hash map with a lock per entry
 * (netflow_lock.h)
 * rather than a per-CPU hash: per-CPU values would split one flow's
 * counters over CPUs, and first/last times, retransmission tracking, TCP
 * end and the expiry decision need the whole flow at once.
 *
 * Not preallocated (docs/decisions.md, "Flow map size"): an entry's memory
 * is taken when its flow starts and given back when it ends, so a map
 * sized for a busy link (a million flows) costs only its bucket array
 * (16 bytes a slot) until the flows come. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, NF_FLOW_MAP_ENTRIES);
    __type(key, struct nf_flow_key);
    __type(value, struct nf_flow_entry);
} nf_flows SEC(".maps");

/* Records for userspace: flows ended in the kernel, packets that found the
 * flow map full (netflow_kern_user.h). */
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, NF_EVENTS_BYTES);
} nf_events SEC(".maps");

/*
 * Ring buffer records wake the reader only when the ring is filling up:
 * userspace polls every 100 ms anyway, and a wakeup per record costs an
 * interrupt (several microseconds in a VM: the benchmark saw 8-9 us per
 * payload copy, thirty times the copy itself). A record wakes the reader
 * when it takes the unread share of the ring across a multiple of 1/8:
 * at most 8 wakeups per ring's worth of records, also while the reader
 * lags behind. (Waking on every record above 1/8 made each record of a
 * lagging reader raise an irq_work, an APIC write that exits a VM: 27% of
 * the receive side's CPU in nic_bench, docs/decisions.md.) Producers on
 * other CPUs or the reader may move the count meanwhile and a crossing go
 * unseen: the next one wakes it.
 */
#define NF_RING_WAKEUP_SHARE 8

/* `len`: the record's bytes; `reserved`: already counted in the unread
 * bytes (bpf_ringbuf_submit after reserve), else about to be (output). */
static __always_inline __u64 nf_ring_flags_len(void *ring, __u64 len, int reserved) {
    __u64 unread = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
    __u64 step = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE) / NF_RING_WAKEUP_SHARE;
    __u64 taken = ((len + 7) & ~7ULL) + 8; /* the ring's 8-byte header, 8-aligned */
    __u64 before = unread, after = unread + taken;
    if (reserved) {
        before = unread > taken ? unread - taken : 0;
        after = unread;
    }
    /* A power of 2: the multiples crossed differ in a bit >= step's. */
    return (before ^ after) >= step ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Payload packets for userspace (NF_REC_PAYLOAD). A ring of its own: a
 * burst of payload copies may fill it, but never takes the room of the
 * events above, whose loss would lose counters. */
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, NF_PAYLOAD_BYTES);
} nf_payload SEC(".maps");

/*
 * DPI-done marks, written by userspace, read and deleted by the programs
 * (struct nf_dpi_done_mark). Not a byte in the flow map: userspace cannot
 * set one field of a locked value. A map update copies the whole value in
 * (and userspace cannot take the entry's lock at all, netflow_lock.h), so
 * a read-modify-write from userspace would put back the counters it read
 * and lose every packet counted in between. Here the programs set
 * nf_flow_state.dpi_done themselves, under the lock, like any counter.
 *
 * LRU: a mark whose flow sends no further packet within the DPI budget is
 * never consumed; the oldest such marks make room for new ones instead of
 * the map filling up. A mark evicted early costs only copies userspace
 * ignores (its classifier is done with the flow).
 */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, NF_DPI_DONE_ENTRIES);
    __type(key, struct nf_flow_key);
    __type(value, struct nf_dpi_done_mark);
} nf_dpi_done SEC(".maps");

/* tap mode: the AF_XDP socket of each RX queue, by queue index, registered
 * by userspace. */
struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, NF_XSK_QUEUES);
    __type(key, __u32);
    __type(value, __u32);
} nf_xsks SEC(".maps");

/* One struct nf_kern_stats per CPU: plain increments, no atomics. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nf_kern_stats);
} nf_stats SEC(".maps");

/*
 * A new flow's first map value, laid out as struct nf_flow_entry but without
 * the bpf_timer type: per-CPU maps may not hold one, and a map update
 * ignores the timer words of the value it copies. lock_word is copied (0:
 * the new entry's lock is free).
 */
struct nf_fresh_entry {
    __u32 lock_word;
    __u8 retired;
    __u8 timer_set;
    __u8 pad[2];
    struct nf_flow_state st;
    __u64 timer_words[2]; /* the map skips its timer's place on update */
};
_Static_assert(sizeof(struct nf_fresh_entry) == sizeof(struct nf_flow_entry), "entry layout");
_Static_assert(__builtin_offsetof(struct nf_fresh_entry, st) ==
                   __builtin_offsetof(struct nf_flow_entry, st),
               "entry layout");

/* A payload record being built: the header, then room for the most bytes
 * one carries. Only the header and the bytes loaded go to the ring. */
struct nf_payload_scratch {
    struct nf_rec_payload rec;
    __u8 data[NF_PAYLOAD_COPY_MAX];
};

/*
 * Per-CPU scratch: the packet being parsed (kept off the stack for the
 * verifier's sake, netflow_frame.h), and what is too large for the 512-byte
 * stack: a new flow's first value (inserted with BPF_NOEXIST), an ended
 * flow's record, and a payload record, the last two filled in part under
 * the entry's lock (no helper may be called there) and sent to a ring
 * buffer after the unlock. One program run cannot be interrupted by another
 * on its CPU (XDP runs in softirq, TC egress with softirqs off), so nothing
 * else writes the scratch meanwhile; the same holds for nf_stats.
 */
struct nf_scratch {
    struct nf_packet pkt;
    __u32 pad;
    struct nf_fresh_entry fresh;
    struct nf_rec_flow_ended ended;
    struct nf_payload_scratch payload;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nf_scratch);
} nf_scratch_map SEC(".maps");

#endif /* NETFLOW_MAPS_H */

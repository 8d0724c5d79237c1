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

#include "core/flow_types.h"
#include "core/payload_budget.h"

/*
 * The flow map value's timer. The programs need the kernel's own struct
 * bpf_timer (the verifier finds it by its BTF type name); userspace only
 * carries its 16 bytes, because <linux/bpf.h> cannot be included next to
 * libpcap's <pcap/bpf.h> (both define struct bpf_insn). The size is checked
 * against the real struct in userspace/kernel/KernelLayoutChecks.cpp.
 */
#ifdef __bpf__
#include <linux/bpf.h>
#define NF_TIMER struct bpf_timer
#else
struct nf_timer_words {
    __u64 opaque[2];
};
#define NF_TIMER struct nf_timer_words
#endif

/* The global functions of the programs that hold the --filter
 * (netflow_filter.h), by name: userspace replaces them with the
 * translated filter (userspace/filter/FilterSplice). */
#define NF_FILTER_XDP_FUNC "nf_filter_xdp"
#define NF_FILTER_TC_FUNC "nf_filter_tc"

/* Default map sizes, changed with bpf_map__set_max_entries before load. */
#define NF_FLOW_MAP_ENTRIES 1048576 /* not preallocated: memory per flow alive */
#define NF_EVENTS_BYTES (4U << 20)  /* ring buffer: a power of 2, whole pages */
#define NF_PAYLOAD_BYTES (8U << 20) /* payload ring buffer: the same rules */
#define NF_DPI_DONE_ENTRIES 16384   /* DPI-done marks not yet seen by the kernel */
#define NF_XSK_QUEUES 64            /* tap: RX queues that can have an AF_XDP socket */

/* The capture_mode knob (docs/spec/DESIGN.md, "Payload path"). host: payload packets
 * are copied to the payload ring buffer and every packet continues. tap (a
 * mirror port, XDP only): payload packets go to the RX queue's AF_XDP
 * socket, every other packet is dropped after counting. */
#define NF_CAPTURE_HOST 0
#define NF_CAPTURE_TAP 1

/*
 * The most bytes of one packet a payload record carries, from the IP header
 * on. Every datagram of a link with an MTU up to 4096 fits whole (Ethernet's
 * 1500 with room to spare, and every frame an XDP program without frags
 * support can be given), so nDPI and the DNS/FTP parsers get the bytes the
 * offline path would give them. Longer datagrams (jumbo frames, GSO
 * super-packets at TC egress) are cut here; the record says so
 * (datagram_len > cap_len). Records take only the bytes they carry in the
 * ring.
 */
#define NF_PAYLOAD_COPY_MAX 4096

/*
 * A flow map value: the core's state behind a lock, because the XDP and TC
 * programs on several CPUs count packets of the same flow. The lock is a
 * plain word the programs take with an atomic compare-and-swap
 * (bpf/netflow_lock.h), not a struct bpf_spin_lock: the helper pair cost
 * 60 ns a packet, the inline pair 6 (docs/decisions.md, "Kernel hot path").
 * Userspace cannot take it: it reads entries only as a snapshot (decisions,
 * the final drain after detach) and removes a live one only through the
 * kernel (nf_xdp_take, struct nf_take_msg), which takes the lock.
 *
 * The timer ends the flow when it expires (netflow_expiry.h): armed when
 * the flow starts for the moment nf_flow_expired first holds, re-armed
 * lazily when it fires early. `retired` is set under the lock when the
 * timer took the flow (its record sent, the entry about to be deleted): a
 * packet or a reader that finds it set leaves the entry alone. `timer_set`:
 * the timer is armed; without it (its allocation failed) userspace expires
 * the entry (NF_REC_TIMERLESS). Userspace copies never see the timer (the
 * kernel skips it like the lock).
 */
struct nf_flow_entry {
    __u32 lock; /* 0 free, 1 held (bpf/netflow_lock.h) */
    __u8 retired;
    __u8 timer_set;
    __u8 pad[2];
    struct nf_flow_state st;
    NF_TIMER timer;
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
    NF_STAT_FILTERED_OUT,   /* rejected by --filter; without one, not IPv4
                             * TCP/UDP/ICMP (the default filter, nf_unparsed_bucket) */
    NF_STAT_NOT_IP,         /* passed a --filter, but no IPv4/IPv6 header (ARP, ..., or a
                             * cut link header) */
    NF_STAT_TRUNCATED,      /* IP header not captured in full */
    NF_STAT_MALFORMED,      /* bad IP version, header length or total length */
    NF_STAT_FLOWS_ENDED,    /* flows ended in the kernel, sent as NF_REC_FLOW_ENDED */
    NF_STAT_RINGBUF_FAILED, /* ring buffer full: that record is lost (and counted) */
    /* The payload path (appended: the indices above are stable). Every
     * packet counted in PAYLOAD_WANTED lands in exactly one of
     * PAYLOAD_COPIED, PAYLOAD_COPY_FAILED and XSK_REDIRECTED. */
    NF_STAT_PAYLOAD_WANTED,      /* userspace wants its payload (nf_payload_wanted, DPI-done) */
    NF_STAT_PAYLOAD_COPIED,      /* sent as NF_REC_PAYLOAD on the payload ring buffer */
    NF_STAT_PAYLOAD_COPY_FAILED, /* payload ring buffer full: that copy is lost (and counted) */
    NF_STAT_XSK_REDIRECTED,      /* tap: redirected to the RX queue's AF_XDP socket */
    NF_STAT_XSK_REDIRECT_FAILED, /* tap: no AF_XDP socket on the RX queue (or no room for the
                                  * metadata): copied to the ring instead; an event, the copy
                                  * is counted above */
    NF_STAT_DPI_DONE_SEEN,       /* flows whose DPI copies a userspace DPI-done mark stopped */
    /* Expiry by timer (appended too; events, not frames). */
    NF_STAT_FLOWS_STARTED,   /* entries inserted in the flow map */
    NF_STAT_FLOWS_EXPIRED,   /* flows their timer ended: sent as NF_REC_FLOW_ENDED, deleted */
    NF_STAT_EXPIRY_DEFERRED, /* a timer found the events ring full: the flow stays, the timer
                              * fires again shortly */
    NF_STAT_EXPIRY_RACED,    /* a packet found its entry retired by its timer (about to be
                              * deleted): sent as NF_REC_PACKET, also counted in MAP_FULL */
    NF_STAT_TIMER_FAILED,    /* a flow's timer could not be set up (bpf_timer_init: memory):
                              * userspace expires it (NF_REC_TIMERLESS) */
    NF_STAT_TIMER_RETRIED,   /* no longer counted (packets used to retry the setup): 0 */
    NF_STAT_TIMERLESS_SENT,  /* NF_REC_TIMERLESS records sent: a new entry without a timer,
                              * or the TCP end of one (its deadline came earlier) */
    NF_STAT_TIMERLESS_LOST,  /* ... that found the events ring full: userspace reads the
                              * whole map once to find them */
    NF_STAT_LOCK_BUSY,       /* a packet found its entry's lock held past the spin bound
                              * (bpf/netflow_lock.h): sent as NF_REC_PACKET, also counted in
                              * MAP_FULL, like EXPIRY_RACED */
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
    NF_REC_PAYLOAD = 3, /* on the payload ring buffer, not the events one */
    NF_REC_TIMERLESS = 4,
};

struct nf_rec_header {
    __u32 type; /* enum nf_record_type */
    __u32 reserved;
};

/*
 * A flow the kernel ended, with its final counters: because a packet of its
 * key arrived after it had expired (idle, active, TCP end + linger) or as a
 * SYN on an ended flow (the packet started a new flow in the same map
 * entry), or because its timer found it expired (the entry was deleted).
 */
struct nf_rec_flow_ended {
    struct nf_rec_header hdr;
    struct nf_flow_key key;
    struct nf_flow_state state;
};

/*
 * A flow entry just inserted whose timer could not be set up
 * (bpf_timer_init failed, NF_STAT_TIMER_FAILED): userspace keeps its key in
 * a deadline queue and looks the entry up at deadline_us + 1 (the first
 * microsecond nf_flow_expired may hold), instead of reading the whole map
 * (userspace/kernel/TimerlessQueue.h). Sent once per entry (a flow that
 * restarts in the same entry keeps it, and so does userspace's queue), and
 * again when a packet ends its TCP flow (the deadline comes earlier).
 */
struct nf_rec_timerless {
    struct nf_rec_header hdr;
    struct nf_flow_key key;
    __u64 deadline_us;
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

/*
 * A packet whose payload userspace wants (nf_payload_wanted after counting,
 * less DPI once userspace marked the flow DPI-done), on the payload ring
 * buffer: this header, then cap_len bytes from the IP header on. userspace
 * parses them again with the core (the key gives the IP version and VLAN)
 * and hands them to the classifier as the offline path does.
 *
 * (key, flow_first_us) names the flow instance: a flow that restarts under
 * the same key has a new first_us. Payload records travel on their own ring
 * buffer, so they may be read before the NF_REC_FLOW_ENDED record of the
 * flow instance before them; match them by that pair, not by arrival.
 */
struct nf_rec_payload {
    struct nf_rec_header hdr;
    __u64 time_us;       /* the packet's time, as the flow counted it */
    __u64 flow_first_us; /* nf_flow_state.first_us of the flow it was counted on */
    struct nf_flow_key key;
    __u32 payload_index; /* 1-based among the flow's payload packets (payload_pkts) */
    /* Bytes from the IP header to the end of the frame, but no further than
     * the IP length (Ethernet padding is not part of the datagram): what the
     * offline path hands the classifier for the same frame. */
    __u32 datagram_len;
    __u32 cap_len; /* bytes that follow: min(datagram_len, NF_PAYLOAD_COPY_MAX) */
    __u8 want;     /* NF_WANT_DPI | NF_WANT_APP (payload_budget.h) */
    __u8 dir;      /* NF_DIR_IN / NF_DIR_OUT */
    __u8 pad[2];
};

/* What a payload record carries of a datagram (nf_datagram_len). */
NF_INLINE __u32 nf_payload_cap(__u32 datagram_len) {
    return datagram_len < NF_PAYLOAD_COPY_MAX ? datagram_len : NF_PAYLOAD_COPY_MAX;
}

/* A payload record as userspace accepts it, whichever way it came (ring
 * copy or AF_XDP frame): some known wants, a direction, a 1-based index
 * (what an AF_XDP frame's metadata says: checked before the frame is
 * parsed), and 1..NF_PAYLOAD_COPY_MAX bytes of its datagram. */
NF_INLINE int nf_payload_header_valid(__u8 want, __u8 dir, __u32 payload_index) {
    return want != 0 && (want & ~(NF_WANT_DPI | NF_WANT_APP)) == 0 &&
           (dir == NF_DIR_IN || dir == NF_DIR_OUT) && payload_index != 0;
}

NF_INLINE int nf_payload_record_valid(const struct nf_rec_payload *rec) {
    return nf_payload_header_valid(rec->want, rec->dir, rec->payload_index) && rec->cap_len != 0 &&
           rec->cap_len == nf_payload_cap(rec->datagram_len);
}

/*
 * tap mode: the metadata in front of each frame redirected to an AF_XDP
 * socket (bpf_xdp_adjust_meta), what a payload record's header says minus
 * what the frame itself gives (key and lengths, by parsing it). The
 * consumer finds it at the frame's address minus sizeof(struct
 * nf_xsk_meta); an AF_XDP descriptor does not carry the metadata length,
 * hence the magic. 32 bytes: the most every kernel with AF_XDP allows.
 */
#define NF_XSK_META_MAGIC 0x6e664d31U /* "nfM1" */

struct nf_xsk_meta {
    __u64 time_us;
    __u64 flow_first_us;
    __u32 payload_index;
    __u8 want;
    __u8 dir;
    __u16 reserved;
    __u32 magic; /* NF_XSK_META_MAGIC */
    __u32 reserved2;
};

/*
 * Userspace's word that nDPI needs no more packets of a flow instance: the
 * value of map nf_dpi_done under the flow's key. The programs read it only
 * for a packet the DPI budget still wants, honour it only when flow_first_us
 * is that of the flow the packet counted on (a later flow under the same
 * key is not done), then set nf_flow_state.dpi_done themselves under the
 * entry's lock and delete the mark. userspace never writes the flow map
 * (netflow_maps.h says why).
 */
struct nf_dpi_done_mark {
    __u64 flow_first_us;
};

/*
 * Userspace's way to remove a live flow (its deadline queue of flows without
 * a timer, the safety sweep): it cannot take the entry's lock, so it runs
 * the program nf_xdp_take with BPF_PROG_TEST_RUN (never attached), this
 * message as the packet. The program looks the key up, takes the lock and,
 * when the flow is expired at now_us (nf_flow_expired), copies its state
 * here, marks the entry retired (as a timer does: a packet that finds it
 * goes to userspace, NF_STAT_EXPIRY_RACED) and deletes it. The message
 * comes back with the result.
 */
enum nf_take_result {
    NF_TAKE_GONE = 1, /* no such entry (or retired: its timer has it) */
    NF_TAKE_TAKEN,    /* expired: state (and timer_set) hold it, the entry is deleted */
    NF_TAKE_LATER,    /* not expired: deadline_us is its deadline now */
    NF_TAKE_TIMED,    /* has a timer and NF_TAKE_TIMED_TOO was not given: its timer ends it */
    NF_TAKE_BUSY,     /* the lock stayed held past the spin bound: try again */
};

#define NF_TAKE_TIMED_TOO 1 /* flags: take an expired flow even if it has a timer */

struct nf_take_msg {
    struct nf_flow_key key;     /* in */
    __u64 now_us;               /* in: kernel monotonic time */
    __u32 flags;                /* in: NF_TAKE_* flags */
    __u32 result;               /* out: enum nf_take_result */
    __u64 deadline_us;          /* out, NF_TAKE_LATER */
    struct nf_flow_state state; /* out, NF_TAKE_TAKEN */
    __u8 timer_set;             /* out, NF_TAKE_TAKEN */
    __u8 pad[7];
};

#endif /* NETFLOW_KERN_USER_H */

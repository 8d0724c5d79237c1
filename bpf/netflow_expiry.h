/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Expiry in the kernel, by a timer in each flow entry (docs/decisions.md,
 * "Expiry by timer"): nothing reads the whole map while flows are held.
 *
 * A new flow's timer is armed for the moment the core's nf_flow_expired
 * first holds (nf_flow_deadline_us + 1 us). Packets do not touch it: when it
 * fires, the callback looks at the flow under its lock; a flow that saw
 * packets since has a later deadline and the timer is armed again for it
 * (lazily: at most once per idle timeout of a busy flow). A flow that is
 * over is copied into a reserved events-ring record under the lock and
 * marked retired, the record is sent and the entry deleted. When the ring
 * has no room the flow stays as it is and the timer fires again shortly
 * (NF_STAT_EXPIRY_DEFERRED): a flow is never dropped for a full ring.
 *
 * The one packet-path event that moves a deadline earlier, a TCP flow's
 * end (linger of a second), re-arms the timer there (nf_expiry_rearm).
 * A packet that finds its entry retired goes to userspace like a map-full
 * packet (NF_STAT_EXPIRY_RACED): the entry is going, its flow is exported.
 *
 * A new entry whose timer cannot be set up (bpf_timer_init allocates, and
 * fails now and then under load on 6.18) is sent to userspace with its key
 * and deadline (NF_REC_TIMERLESS): userspace looks that entry up alone at
 * its deadline (userspace/kernel/TimerlessQueue.h) instead of reading the
 * whole map. The packet that ends such a TCP flow sends its (earlier)
 * deadline again.
 *
 * Under the test clock (BPF_PROG_TEST_RUN with capture times) no timer is
 * armed: time there is the packets', and expiry is per packet only.
 */
#ifndef NETFLOW_EXPIRY_H
#define NETFLOW_EXPIRY_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "core/flow_count.h"
#include "netflow_config.h"
#include "netflow_lock.h"
#include "netflow_maps.h"

#define NF_CLOCK_MONOTONIC 1           /* <linux/time.h>; bpf_ktime_get_ns's clock */
#define NF_EXPIRY_RETRY_NS 10000000ULL /* events ring full: look again in 10 ms */

static __always_inline void nf_expiry_stat(int index) {
    __u32 zero = 0;
    struct nf_kern_stats *stats = bpf_map_lookup_elem(&nf_stats, &zero);
    if (stats && index >= 0 && index < NF_STAT_COUNT)
        stats->counters[index]++;
}

/* Arms the timer for the first microsecond after `deadline_us`. */
static __always_inline long nf_expiry_arm(struct bpf_timer *timer, __u64 deadline_us,
                                          __u64 now_us) {
    __u64 at_us = deadline_us + 1;
    __u64 delay_ns = at_us > now_us ? (at_us - now_us) * 1000 : 0;
    return bpf_timer_start(timer, delay_ns, 0);
}

/*
 * The timer callback. Runs in softirq context, like XDP, so the per-CPU
 * statistics are safe to increment; it never touches the per-CPU scratch.
 * Returns 0 (the only value the verifier accepts).
 */
static int nf_expiry_fired(void *map, struct nf_flow_key *key, struct nf_flow_entry *entry) {
    if (expiry_stopped)
        return 0;
    struct nf_timeouts timeouts = nf_timeouts_config();
    __u64 now_us = bpf_ktime_get_ns() / 1000;
    __u64 deadline;
    int retired, expired;

    if (nf_entry_lock(entry) != 0) {
        /* Held all this while (see netflow_lock.h): look again shortly. */
        bpf_timer_start(&entry->timer, NF_EXPIRY_RETRY_NS, 0);
        return 0;
    }
    retired = entry->retired;
    expired = nf_flow_expired(&entry->st, now_us, &timeouts);
    deadline = nf_flow_deadline_us(&entry->st, &timeouts);
    nf_entry_unlock(entry);
    if (retired)
        return 0;
    if (!expired) {
        nf_expiry_arm(&entry->timer, deadline, now_us);
        return 0;
    }

    /* Room first: the flow is taken only once its record has a place. */
    struct nf_rec_flow_ended *rec = bpf_ringbuf_reserve(&nf_events, sizeof(*rec), 0);
    if (!rec) {
        nf_expiry_stat(NF_STAT_EXPIRY_DEFERRED);
        bpf_timer_start(&entry->timer, NF_EXPIRY_RETRY_NS, 0);
        return 0;
    }
    if (nf_entry_lock(entry) != 0) {
        bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
        bpf_timer_start(&entry->timer, NF_EXPIRY_RETRY_NS, 0);
        return 0;
    }
    /* A packet may have come (on another CPU) since the first look, or
     * userspace taken the flow (nf_xdp_take). */
    retired = entry->retired;
    expired = !retired && nf_flow_expired(&entry->st, now_us, &timeouts);
    if (expired) {
        rec->key = *key;
        rec->state = entry->st;
        entry->retired = 1;
    }
    deadline = nf_flow_deadline_us(&entry->st, &timeouts);
    nf_entry_unlock(entry);
    if (!expired) {
        bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
        if (!retired)
            nf_expiry_arm(&entry->timer, deadline, now_us);
        return 0;
    }
    rec->hdr.type = NF_REC_FLOW_ENDED;
    rec->hdr.reserved = 0;
    bpf_ringbuf_submit(rec, nf_ring_flags_len(&nf_events, sizeof(*rec), 1));
    nf_expiry_stat(NF_STAT_FLOWS_EXPIRED);
    /* Deleting its own entry from the callback is allowed: the kernel
     * frees the timer once the callback returns. */
    bpf_map_delete_elem(map, key);
    return 0;
}

/*
 * Sets up and arms the entry's timer for `deadline_us`. bpf_timer_init
 * allocates (on 6.18 with kmalloc_nolock, which fails more readily under a
 * burst of new flows): on failure the entry stays without a timer for good
 * and userspace expires it (nf_expiry_send_timerless). Packets do not try
 * again: a failing bpf_timer_init on every packet of such a flow was 7% of
 * the receive side's CPU in nic_bench, and userspace's look at the deadline
 * costs less. Returns 0 when armed.
 */
static __always_inline int nf_expiry_setup(struct nf_flow_entry *entry, __u64 deadline_us,
                                           __u64 now_us) {
    if (fail_timers) {
        nf_expiry_stat(NF_STAT_TIMER_FAILED);
        return -1;
    }
    long err = bpf_timer_init(&entry->timer, &nf_flows, NF_CLOCK_MONOTONIC);
    if (err == -EBUSY) {
        entry->timer_set = 1; /* another CPU set it up meanwhile */
        return 0;
    }
    if (err != 0 || bpf_timer_set_callback(&entry->timer, nf_expiry_fired) != 0 ||
        nf_expiry_arm(&entry->timer, deadline_us, now_us) != 0) {
        nf_expiry_stat(NF_STAT_TIMER_FAILED);
        return -1;
    }
    entry->timer_set = 1;
    return 0;
}

/*
 * A new entry without a timer: its key and deadline go to userspace, which
 * looks the entry up then (NF_REC_TIMERLESS). When the ring is full the
 * loss is counted and userspace reads the whole map once to find it.
 */
static __always_inline void nf_expiry_send_timerless(const struct nf_flow_key *key,
                                                     __u64 deadline_us) {
    struct nf_rec_timerless *rec = bpf_ringbuf_reserve(&nf_events, sizeof(*rec), 0);
    if (!rec) {
        nf_expiry_stat(NF_STAT_TIMERLESS_LOST);
        return;
    }
    rec->hdr.type = NF_REC_TIMERLESS;
    rec->hdr.reserved = 0;
    rec->key = *key;
    rec->deadline_us = deadline_us;
    bpf_ringbuf_submit(rec, nf_ring_flags_len(&nf_events, sizeof(*rec), 1));
    nf_expiry_stat(NF_STAT_TIMERLESS_SENT);
}

/* A flow just inserted (its state `st` as inserted): its timer, armed, or
 * else userspace told. */
static __always_inline void nf_expiry_start(const struct nf_flow_key *key,
                                            const struct nf_flow_state *st, __u64 now_us) {
    if (use_test_clock)
        return;
    struct nf_timeouts timeouts = nf_timeouts_config();
    struct nf_flow_entry *entry = bpf_map_lookup_elem(&nf_flows, key);
    if (!entry)
        return; /* already gone: userspace drained it */
    __u64 deadline = nf_flow_deadline_us(st, &timeouts);
    if (nf_expiry_setup(entry, deadline, now_us) != 0)
        nf_expiry_send_timerless(key, deadline);
}

/* The packet ended a TCP flow (RST, or the second FIN): its deadline is now
 * the linger's, earlier than the one the timer is armed for. An entry
 * without a timer tells userspace the new deadline instead. */
static __always_inline void nf_expiry_rearm(struct nf_flow_entry *entry,
                                            const struct nf_flow_key *key, int no_timer,
                                            __u64 deadline_us, __u64 now_us) {
    if (use_test_clock)
        return;
    if (no_timer)
        nf_expiry_send_timerless(key, deadline_us);
    else
        nf_expiry_arm(&entry->timer, deadline_us, now_us);
}

/*
 * Userspace's removal of a live flow (struct nf_take_msg says why it goes
 * through here): `msg` is the test run's packet, checked by the caller to
 * hold a whole message. Fills in msg->result and what goes with it.
 */
static __always_inline void nf_take_flow(struct nf_take_msg *msg) {
    struct nf_timeouts timeouts = nf_timeouts_config();
    /* The key on the stack, where the lookup and the delete take it (the
     * reply written into the message below leaves its key alone anyway). */
    struct nf_flow_key key = msg->key;
    __u64 now_us = msg->now_us;
    struct nf_flow_entry *entry = bpf_map_lookup_elem(&nf_flows, &key);
    if (!entry) {
        msg->result = NF_TAKE_GONE;
        return;
    }
    if (nf_entry_lock(entry) != 0) {
        msg->result = NF_TAKE_BUSY;
        return;
    }
    __u32 result;
    if (entry->retired) {
        result = NF_TAKE_GONE;
    } else if (entry->timer_set && !(msg->flags & NF_TAKE_TIMED_TOO)) {
        result = NF_TAKE_TIMED;
    } else if (!nf_flow_expired(&entry->st, now_us, &timeouts)) {
        result = NF_TAKE_LATER;
        msg->deadline_us = nf_flow_deadline_us(&entry->st, &timeouts);
    } else {
        /* Copied into the packet under the lock (plain stores), then the
         * entry is retired as a timer retires it: from the unlock on, a
         * packet that finds it goes to userspace, and a timer that fires
         * leaves it. */
        result = NF_TAKE_TAKEN;
        msg->state = entry->st;
        msg->timer_set = entry->timer_set;
        entry->retired = 1;
    }
    nf_entry_unlock(entry);
    msg->result = result;
    if (result == NF_TAKE_TAKEN)
        bpf_map_delete_elem(&nf_flows, &key);
}

#endif /* NETFLOW_EXPIRY_H */

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

    bpf_spin_lock(&entry->lock);
    retired = entry->retired;
    expired = nf_flow_expired(&entry->st, now_us, &timeouts);
    deadline = nf_flow_deadline_us(&entry->st, &timeouts);
    bpf_spin_unlock(&entry->lock);
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
    bpf_spin_lock(&entry->lock);
    /* A packet may have come (on another CPU) since the first look. */
    expired = !entry->retired && nf_flow_expired(&entry->st, now_us, &timeouts);
    if (expired) {
        rec->key = *key;
        rec->state = entry->st;
        entry->retired = 1;
    }
    deadline = nf_flow_deadline_us(&entry->st, &timeouts);
    bpf_spin_unlock(&entry->lock);
    if (!expired) {
        bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
        nf_expiry_arm(&entry->timer, deadline, now_us);
        return 0;
    }
    rec->hdr.type = NF_REC_FLOW_ENDED;
    rec->hdr.reserved = 0;
    bpf_ringbuf_submit(rec, nf_ring_flags(&nf_events));
    nf_expiry_stat(NF_STAT_FLOWS_EXPIRED);
    /* Deleting its own entry from the callback is allowed: the kernel
     * frees the timer once the callback returns. */
    bpf_map_delete_elem(map, key);
    return 0;
}

/*
 * Sets up and arms the entry's timer for `deadline_us`. bpf_timer_init
 * allocates (on 6.18 with kmalloc_nolock, which fails more readily under a
 * burst of new flows): on failure the entry stays without a timer and the
 * flow's next packet tries again (nf_expiry_retry). Returns 0 when armed.
 */
static __always_inline int nf_expiry_setup(struct nf_flow_entry *entry, __u64 deadline_us,
                                           __u64 now_us) {
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

/* A flow just inserted (its state `st` as inserted): its timer, armed. */
static __always_inline void nf_expiry_start(const struct nf_flow_key *key,
                                            const struct nf_flow_state *st, __u64 now_us) {
    if (use_test_clock)
        return;
    struct nf_timeouts timeouts = nf_timeouts_config();
    struct nf_flow_entry *entry = bpf_map_lookup_elem(&nf_flows, key);
    if (!entry)
        return; /* already gone: userspace drained it */
    nf_expiry_setup(entry, nf_flow_deadline_us(st, &timeouts), now_us);
}

/* A packet of a flow whose timer could not be set up yet. */
static __always_inline void nf_expiry_retry(struct nf_flow_entry *entry, __u64 deadline_us,
                                            __u64 now_us) {
    if (use_test_clock)
        return;
    if (nf_expiry_setup(entry, deadline_us, now_us) == 0)
        nf_expiry_stat(NF_STAT_TIMER_RETRIED);
}

/* The packet ended a TCP flow (RST, or the second FIN): its deadline is now
 * the linger's, earlier than the one the timer is armed for. */
static __always_inline void nf_expiry_rearm(struct nf_flow_entry *entry, __u64 deadline_us,
                                            __u64 now_us) {
    if (use_test_clock)
        return;
    nf_expiry_arm(&entry->timer, deadline_us, now_us);
}

#endif /* NETFLOW_EXPIRY_H */

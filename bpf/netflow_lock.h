/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The flow entry's lock, taken in the program itself: a test-and-set on
 * the entry's `lock` word with an atomic compare-and-swap, released with an
 * atomic exchange. It replaces bpf_spin_lock / bpf_spin_unlock, two helper
 * calls whose returns go through this kernel's return thunks (retpolines,
 * SRSO Safe RET) and which toggle interrupts: 60 ns a packet warm, against
 * 6 for the inline pair (bpf_cost stages "4a" and "4b", docs/decisions.md
 * "Kernel hot path").
 *
 * Why no interrupt needs to be turned off: everything that takes the lock
 * runs with bottom halves off and never in hard-interrupt context: XDP
 * (softirq, or BPF_PROG_TEST_RUN, which disables bottom halves around each
 * run), TC egress (under rcu_read_lock_bh), the timer callbacks (softirq)
 * and nf_xdp_take (a test run). So on one CPU no holder is ever interrupted
 * by another taker; a taker only ever waits for another CPU, which holds
 * the lock for the few dozen instructions of a packet's counters. (On
 * PREEMPT_RT, where softirqs can be preempted, a waiter could wait for a
 * preempted holder: the bound below then gives up, never deadlocks.)
 *
 * To the verifier the lock is plain memory: it does not check that every
 * path unlocks (with bpf_spin_lock it did), so every function that takes it
 * here releases it on each of its return paths, and no helper call is
 * made in between (none is needed; the ones that would be are after the
 * unlock, as before). In return the verifier no longer forbids helper
 * calls under it, nor a second lookup.
 *
 * Ordering: the compare-and-swap and the exchange are full barriers
 * (BPF_ATOMIC with BPF_FETCH), so the counters written while holding it are
 * visible to the next holder on any architecture, not only on x86's TSO.
 */
#ifndef NETFLOW_LOCK_H
#define NETFLOW_LOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netflow_kern_user.h"

/* Tries of the slow path before giving up (bpf_loop's iterations, each a
 * read and, when free, a compare-and-swap: a few ms at most). A holder
 * keeps the lock for well under a microsecond. */
#define NF_LOCK_SPINS (1U << 18)

struct nf_lock_wait {
    __u32 *word;
    int got;
};

/* One try of the slow path: read first (no write while it is held, so the
 * waiters do not bounce the cache line), then the compare-and-swap. */
static long nf_lock_try(__u32 index __attribute__((unused)), void *ctx) {
    struct nf_lock_wait *w = ctx;
    __u32 *word = w->word;
    if (!word)
        return 1;
    if (*(volatile __u32 *)word == 0 && __sync_val_compare_and_swap(word, 0, 1) == 0) {
        w->got = 1;
        return 1;
    }
    return 0;
}

/* 0 when taken; -1 when it stayed held NF_LOCK_SPINS tries (counted by the
 * caller, which then leaves the entry alone). The fast path, a free lock,
 * is one compare-and-swap with no call. */
static __always_inline int nf_entry_lock(struct nf_flow_entry *entry) {
    if (__sync_val_compare_and_swap(&entry->lock, 0, 1) == 0)
        return 0;
    struct nf_lock_wait w = {.word = &entry->lock, .got = 0};
    bpf_loop(NF_LOCK_SPINS, nf_lock_try, &w, 0);
    return w.got ? 0 : -1;
}

static __always_inline void nf_entry_unlock(struct nf_flow_entry *entry) {
    __sync_lock_test_and_set(&entry->lock, 0);
}

#endif /* NETFLOW_LOCK_H */

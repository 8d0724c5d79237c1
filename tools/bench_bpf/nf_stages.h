/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The stages of nf_stages.bpf.c, for its last_stage knob: shared by the
 * BPF object and bpf_cost, which sets the knob. Each stage includes the
 * ones before it.
 */
#ifndef NF_STAGES_H
#define NF_STAGES_H

enum nf_stage {
    NF_STAGE_PARSE = 1, /* Ethernet, VLAN/PPPoE/MPLS, IPv4/IPv6, L4; the default filter */
    NF_STAGE_KEY,       /* the canonical flow key */
    NF_STAGE_CLOCK,     /* bpf_ktime_get_ns, in microseconds */
    NF_STAGE_LOOKUP,    /* the flow map entry, inserted on a miss */
    NF_STAGE_LOCK,      /* a bpf_spin_lock in the entry taken and released, nothing counted
                         * (netflow used it until it took its own, netflow_lock.h) */
    NF_STAGE_COUNT,     /* the entry's lock (netflow_lock.h), expiry, every counter */
    NF_STAGE_STATS,     /* the per-CPU statistics map, as the real program keeps it */
    /* Not a step of the chain: NF_STAGE_LOOKUP, then netflow's inline lock
     * (a compare-and-swap and an exchange, bpf/netflow_lock.h) taken and
     * released in place of NF_STAGE_LOCK's bpf_spin_lock helper pair. */
    NF_STAGE_ATOMIC_LOCK,
};

#endif /* NF_STAGES_H */

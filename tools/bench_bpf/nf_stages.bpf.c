// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * netflow's XDP counting cut off after a chosen stage, for bpf_cost's
 * breakdown of where the program's time goes. The stages are the shared
 * core's own functions (bpf/core/packet_parse.h, flow_key.h, flow_count.h),
 * composed the way bpf/netflow_frame.h composes them, minus the payload
 * path and the ring buffers; bpf_cost loads this object once per stage and
 * puts the real program (with and without payload copies) above the last.
 * The core headers are read, never changed, from here: tools/CMakeLists.txt
 * makes this object depend on them.
 *
 * last_stage is rodata, frozen at load: the verifier removes the stages
 * after it, so each load costs what its stages cost and no more.
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "../../bpf/core/flow_count.h"
#include "../../bpf/core/flow_key.h"
#include "../../bpf/netflow_kern_user.h"
#include "../../bpf/netflow_lock.h"
#include "../../bpf/core/packet_parse.h"

#include "nf_stages.h"

const volatile __u8 last_stage = NF_STAGE_STATS;
/* NF_STAGE_ATOMIC_LOCK comes after NF_STAGE_STATS in the enum but is not a
 * step after it: every stage test is an equality (the statistics are in
 * NF_STAGE_STATS alone). */
/* netflow's defaults (bpf/netflow_config.h). */
const volatile __u64 idle_timeout_us = 30000000;
const volatile __u64 active_timeout_us = 120000000;

/* As netflow's nf_flows: the same key and value, sized by bpf_cost, with a
 * struct bpf_spin_lock in front for stage 4a (netflow's entries no longer
 * have one: netflow_lock.h). */
struct st_entry {
    struct bpf_spin_lock helper_lock;
    __u32 pad;
    struct nf_flow_entry e;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, NF_FLOW_MAP_ENTRIES);
    __type(key, struct nf_flow_key);
    __type(value, struct st_entry);
} st_flows SEC(".maps");

/* A new flow's first value: struct st_entry without the lock and timer
 * types, which a per-CPU map may not hold (netflow's struct
 * nf_fresh_entry). */
struct st_fresh_entry {
    __u32 helper_lock_word;
    __u32 pad;
    __u32 lock_word;
    __u32 flags;
    struct nf_flow_state st;
    __u64 timer_words[2];
};
_Static_assert(sizeof(struct st_fresh_entry) == sizeof(struct st_entry), "entry layout");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct st_fresh_entry);
} st_scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nf_kern_stats);
} st_stats SEC(".maps");

/* What a stage computed must exist even when the next stage, which would
 * use it, is cut off: without this clang may sink the work past the stage
 * test (it does not know last_stage) and the stage would measure less than
 * it does in the full program. */
#define st_keep(ptr) asm volatile("" : : "r"(ptr) : "memory")

static __always_inline void st_stat(struct nf_kern_stats *stats, int index) {
    if (stats && index >= 0 && index < NF_STAT_COUNT)
        stats->counters[index]++;
}

/* As netflow's nf_flow_entry_get. */
static __always_inline struct st_entry *st_entry_get(struct st_fresh_entry *fresh,
                                                     const struct nf_flow_key *key,
                                                     const struct nf_packet *pkt, int from_lo,
                                                     __u64 now_us) {
    struct st_entry *entry = bpf_map_lookup_elem(&st_flows, key);
    if (entry)
        return entry;
    __builtin_memset(&fresh->st, 0, sizeof(fresh->st));
    nf_flow_init(&fresh->st, pkt, from_lo, now_us);
    long err = bpf_map_update_elem(&st_flows, key, fresh, BPF_NOEXIST);
    if (err != 0 && err != -EEXIST)
        return NULL;
    return bpf_map_lookup_elem(&st_flows, key);
}

/* Global and not inlined, as netflow's nf_count_parsed was: the verifier
 * checks it once, not once per parser outcome (the packet is on this
 * object's stack, where the parser's paths do not merge). netflow's is
 * inlined now (bpf/netflow_frame.h), so the stages from 2 on hold one
 * BPF-to-BPF call more than the real program. */
__attribute__((noinline)) int st_count_parsed(const struct nf_packet *pkt) {
    __u32 zero = 0;
    if (!pkt)
        return 0;
    struct nf_kern_stats *stats = NULL;
    if (last_stage == NF_STAGE_STATS) {
        stats = bpf_map_lookup_elem(&st_stats, &zero);
        if (!stats)
            return 0;
    }

    struct nf_flow_key key = {};
    int from_lo = nf_flow_key_from_packet(pkt, &key);
    st_keep(&key);
    if (last_stage == NF_STAGE_KEY)
        return from_lo;

    __u64 now_us = bpf_ktime_get_ns() / 1000;
    st_keep(now_us);
    if (last_stage == NF_STAGE_CLOCK)
        return from_lo;

    struct st_fresh_entry *fresh = bpf_map_lookup_elem(&st_scratch, &zero);
    if (!fresh)
        return 0;
    struct st_entry *entry = st_entry_get(fresh, &key, pkt, from_lo, now_us);
    if (!entry)
        return 0;
    st_keep(entry);
    if (last_stage == NF_STAGE_LOOKUP)
        return from_lo;
    if (last_stage == NF_STAGE_LOCK) {
        bpf_spin_lock(&entry->helper_lock);
        bpf_spin_unlock(&entry->helper_lock);
        return from_lo;
    }
    if (last_stage == NF_STAGE_ATOMIC_LOCK) {
        /* netflow's own lock (bpf/netflow_lock.h): a compare-and-swap and
         * an exchange, no helper call. */
        if (nf_entry_lock(&entry->e) == 0)
            nf_entry_unlock(&entry->e);
        return from_lo;
    }

    /* netflow's nf_count_on_entry without the ended-flow record and the
     * payload decision. */
    struct nf_timeouts timeouts = {.idle_us = idle_timeout_us, .active_us = active_timeout_us};
    struct nf_flow_entry *e = &entry->e;
    if (nf_entry_lock(e) != 0)
        return 0;
    if (nf_flow_expired(&e->st, now_us, &timeouts) || nf_flow_restarts_on_syn(&e->st, pkt)) {
        __builtin_memset(&e->st, 0, sizeof(e->st));
        nf_flow_init(&e->st, pkt, from_lo, now_us);
    }
    nf_flow_count(&e->st, pkt, nf_packet_dir(&e->st, from_lo), now_us);
    nf_entry_unlock(e);
    st_stat(stats, NF_STAT_COUNTED);
    return from_lo;
}

SEC("xdp")
int nf_stage_count(struct xdp_md *ctx) {
    const __u8 *data = (const __u8 *)(unsigned long)ctx->data;
    const __u8 *end = (const __u8 *)(unsigned long)ctx->data_end;
    __u32 zero = 0;
    struct nf_kern_stats *stats = NULL;
    if (last_stage == NF_STAGE_STATS) {
        stats = bpf_map_lookup_elem(&st_stats, &zero);
        if (!stats)
            return XDP_PASS;
    }
    st_stat(stats, NF_STAT_SEEN);

    struct nf_packet pkt = {};
    const __u8 *l3;
    int rc = nf_parse_frame(data, end, &l3, &pkt);
    if (rc != NF_PARSE_OK) {
        st_stat(stats, rc == NF_PARSE_NOT_IP ? NF_STAT_NOT_IP : NF_STAT_MALFORMED);
        return XDP_PASS;
    }
    if (!nf_default_filter_pass(&pkt)) {
        st_stat(stats, NF_STAT_FILTERED_OUT);
        return XDP_PASS;
    }
    st_keep(&pkt);
    if (last_stage == NF_STAGE_PARSE)
        return XDP_PASS;
    st_count_parsed(&pkt);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

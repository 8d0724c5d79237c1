// The structs of bpf/netflow_kern_user.h are shared with the kernel programs
// by inclusion, never mirrored. These checks pin their layout: a change that
// would make userspace misread a map value or a ring buffer record fails the
// build instead.
#include <linux/bpf.h>

#include <cstddef>

#include "netflow_kern_user.h"

namespace {

// Flow map value: the lock word, padding, then the core's state 8-aligned.
static_assert(sizeof(NF_SPIN_LOCK) == sizeof(bpf_spin_lock));
static_assert(alignof(NF_SPIN_LOCK) == alignof(bpf_spin_lock));
static_assert(offsetof(nf_flow_entry, st) == 8);
static_assert(sizeof(nf_flow_entry) == 8 + sizeof(nf_flow_state));

static_assert(sizeof(nf_kern_stats) == 8 * NF_STAT_COUNT);
static_assert(NF_STAT_SEEN == 0 && NF_STAT_COUNT == 9, "renumbering breaks older readers");

// Ring buffer records: no implicit padding, 8-byte multiples (the ring
// aligns records to 8 bytes).
static_assert(sizeof(nf_rec_header) == 8);
static_assert(offsetof(nf_rec_flow_ended, key) == 8);
static_assert(offsetof(nf_rec_flow_ended, state) == 8 + sizeof(nf_flow_key));
static_assert(offsetof(nf_rec_flow_ended, state) % 8 == 0);
static_assert(sizeof(nf_rec_flow_ended) == 8 + sizeof(nf_flow_key) + sizeof(nf_flow_state));
static_assert(offsetof(nf_rec_packet, time_us) == 8);
static_assert(offsetof(nf_rec_packet, pkt) == 16);
static_assert(sizeof(nf_rec_packet) == 16 + sizeof(nf_packet) + 4);
static_assert(sizeof(nf_rec_packet) % 8 == 0);

// A ring buffer's size is a power of two and a multiple of the page size.
static_assert((NF_EVENTS_BYTES & (NF_EVENTS_BYTES - 1)) == 0 && NF_EVENTS_BYTES % 4096 == 0);

}  // namespace

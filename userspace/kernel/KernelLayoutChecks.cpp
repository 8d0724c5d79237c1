// The structs of bpf/netflow_kern_user.h are shared with the kernel programs
// by inclusion, never mirrored. These checks pin their layout: a change that
// would make userspace misread a map value or a ring buffer record fails the
// build instead.
#include <linux/bpf.h>

#include <cstddef>

#include "netflow_kern_user.h"

namespace {

// Flow map value: the lock word, padding, then the core's state 8-aligned.
static_assert(offsetof(nf_flow_entry, lock) == 0 && sizeof(nf_flow_entry::lock) == 4);
static_assert(offsetof(nf_flow_entry, st) == 8);
static_assert(sizeof(NF_TIMER) == sizeof(bpf_timer));
static_assert(alignof(NF_TIMER) == alignof(bpf_timer));
static_assert(offsetof(nf_flow_entry, timer) == 8 + sizeof(nf_flow_state));
static_assert(sizeof(nf_flow_entry) == 8 + sizeof(nf_flow_state) + sizeof(bpf_timer));

static_assert(sizeof(nf_kern_stats) == 8 * NF_STAT_COUNT);
static_assert(NF_STAT_SEEN == 0 && NF_STAT_RINGBUF_FAILED == 8, "renumbering breaks older readers");
static_assert(NF_STAT_PAYLOAD_WANTED == 9 && NF_STAT_DPI_DONE_SEEN == 14,
              "the payload path's counters are appended, never inserted");
static_assert(NF_STAT_FLOWS_STARTED == 15 && NF_STAT_TIMER_RETRIED == 20 &&
                  NF_STAT_TIMERLESS_LOST == 22,
              "the expiry counters are appended, never inserted");
static_assert(NF_STAT_LOCK_BUSY == 23 && NF_STAT_COUNT == 24, "appended, never inserted");

// The take message (nf_xdp_take): the test run's packet, copied both ways.
static_assert(sizeof(nf_take_msg) % 8 == 0);
static_assert(offsetof(nf_take_msg, state) % 8 == 0);

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
static_assert(offsetof(nf_rec_timerless, key) == 8);
static_assert(offsetof(nf_rec_timerless, deadline_us) == 8 + sizeof(nf_flow_key));
static_assert(sizeof(nf_rec_timerless) == 16 + sizeof(nf_flow_key));
static_assert(sizeof(nf_rec_timerless) % 8 == 0);

// Payload records: the header is 8-aligned and its size a multiple of 8, so
// the bytes that follow start 8-aligned in the record; cap_len of them
// follow it, and no record is larger than header + NF_PAYLOAD_COPY_MAX.
static_assert(offsetof(nf_rec_payload, time_us) == 8);
static_assert(offsetof(nf_rec_payload, flow_first_us) == 16);
static_assert(offsetof(nf_rec_payload, key) == 24);
static_assert(offsetof(nf_rec_payload, payload_index) == 24 + sizeof(nf_flow_key));
static_assert(offsetof(nf_rec_payload, datagram_len) == 28 + sizeof(nf_flow_key));
static_assert(offsetof(nf_rec_payload, cap_len) == 32 + sizeof(nf_flow_key));
static_assert(offsetof(nf_rec_payload, want) == 36 + sizeof(nf_flow_key));
static_assert(offsetof(nf_rec_payload, dir) == 37 + sizeof(nf_flow_key));
static_assert(sizeof(nf_rec_payload) == 40 + sizeof(nf_flow_key));
static_assert(sizeof(nf_rec_payload) == 80 && sizeof(nf_rec_payload) % 8 == 0);
static_assert(NF_PAYLOAD_COPY_MAX >= 1500, "a whole Ethernet datagram");

// The AF_XDP metadata: within the 32 bytes bpf_xdp_adjust_meta allows on
// every kernel, a multiple of 4 as it requires, no implicit padding.
static_assert(sizeof(nf_xsk_meta) == 32 && sizeof(nf_xsk_meta) % 4 == 0);
static_assert(offsetof(nf_xsk_meta, payload_index) == 16);
static_assert(offsetof(nf_xsk_meta, magic) == 24);

// A DPI-done mark's value (map nf_dpi_done, keyed by nf_flow_key).
static_assert(sizeof(nf_dpi_done_mark) == 8);
static_assert(sizeof(nf_flow_key) == 40);

// A ring buffer's size is a power of two and a multiple of the page size.
static_assert((NF_EVENTS_BYTES & (NF_EVENTS_BYTES - 1)) == 0 && NF_EVENTS_BYTES % 4096 == 0);
static_assert((NF_PAYLOAD_BYTES & (NF_PAYLOAD_BYTES - 1)) == 0 && NF_PAYLOAD_BYTES % 4096 == 0);

}  // namespace

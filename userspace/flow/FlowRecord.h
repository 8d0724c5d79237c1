// A flow as userspace holds it: the counting core's key and state, its
// classification, and its place in the table's expiry lists.
#pragma once

#include <cstdint>

#include "dpi/FlowClassification.h"
#include "flow_types.h"

namespace netflow {

inline constexpr uint32_t kNoFlow = UINT32_MAX;

// Links of one intrusive doubly-linked list, by record index.
struct ListLinks {
    uint32_t prev = kNoFlow;
    uint32_t next = kNoFlow;
};

struct FlowRecord {
    nf_flow_key key;
    nf_flow_state state;
    // Start order: flows exported together are written in it. One bit of
    // its word says the flow was put in the ended-TCP list (no padding).
    uint64_t first_seen : 63 = 0;
    uint64_t in_end_list : 1 = 0;
    // By last packet time: in the idle-timeout list, or once the TCP flow
    // ended (in_end_list) in the list of ended flows instead (one pair of
    // links for both: a flow is in one of them).
    ListLinks by_last;
    ListLinks by_first;  // active-timeout order (first packet time)
    FlowClassification cls;
};

// One per concurrent flow offline: every byte counts (docs/decisions.md,
// "Memory per flow"). 40 + 240 + 8 + 16 + 40, no padding.
static_assert(sizeof(FlowRecord) == sizeof(nf_flow_key) + sizeof(nf_flow_state) + 8 +
                                        2 * sizeof(ListLinks) + sizeof(FlowClassification));
static_assert(sizeof(FlowClassification) <= 40);

}  // namespace netflow

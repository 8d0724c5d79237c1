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
    uint64_t first_seen;  // start order: flows exported together are written in it
    ListLinks by_last;    // idle-timeout order (last packet time)
    ListLinks by_first;   // active-timeout order (first packet time)
    ListLinks by_end;     // ended TCP flows, by last packet time
    bool in_end_list = false;
    FlowClassification cls;
};

}  // namespace netflow

// Live kernel path: the kernel holds each flow's counters, userspace its
// classification (nDPI state, DNS and FTP fields) until the flow is
// exported. One entry per flow instance: a key and its first packet's time,
// since a key restarts as a new flow (timeouts, SYN after the end).
#pragma once

#include <cstdint>
#include <unordered_map>

#include "dpi/FlowClassification.h"
#include "flow/FlowKeyHash.h"

namespace netflow {

struct FlowInstance {
    nf_flow_key key;
    uint64_t first_us;

    bool operator==(const FlowInstance &o) const {
        return first_us == o.first_us && sameFlowKey(key, o.key);
    }
};

struct FlowInstanceHash {
    size_t operator()(const FlowInstance &f) const {
        return hashFlowKey(f.key) ^ static_cast<size_t>(f.first_us * 0x9E3779B97F4A7C15ULL);
    }
};

class LiveClassifications {
  public:
    // The classification of a flow instance, created empty on first use.
    FlowClassification &of(const FlowInstance &flow) { return map_[flow].cls; }

    // The payload_index the flow's next payload record should have
    // (PayloadOrder), 1 for a new entry. Kept here, next to the
    // classification, rather than in a map of its own: one node per flow
    // with payload instead of two (~130 bytes a flow, docs/decisions.md).
    uint32_t &nextPayload(const FlowInstance &flow) { return map_[flow].next_payload; }
    // Back to 1, without creating an entry (the flow is being exported).
    void resetNextPayload(const FlowInstance &flow) {
        if (auto it = map_.find(flow); it != map_.end())
            it->second.next_payload = 1;
    }

    // Removes and returns the instance's classification (empty if it never
    // had payload).
    FlowClassification take(const FlowInstance &flow);

    // Drops classifications of flows that cannot still be open: no flow
    // lives past the active timeout, so one that started before `cutoff_us`
    // was exported without them (its payload record came too late).
    // Returns how many were dropped.
    size_t dropOlderThan(uint64_t cutoff_us);

    size_t size() const { return map_.size(); }

  private:
    struct Entry {
        FlowClassification cls;
        uint32_t next_payload = 1;
    };
    std::unordered_map<FlowInstance, Entry, FlowInstanceHash> map_;
};

}  // namespace netflow

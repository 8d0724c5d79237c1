// Live kernel path: the kernel holds each flow's counters, userspace its
// classification (nDPI state, DNS and FTP fields) until the flow is
// exported. One entry per flow instance: a key and its first packet's time,
// since a key restarts as a new flow (timeouts, SYN after the end).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "dpi/FlowClassification.h"
#include "flow/ChunkedVector.h"
#include "flow/FlowKeyHash.h"
#include "flow/SlotIndex.h"

namespace netflow {

struct FlowInstance {
    nf_flow_key key;
    uint64_t first_us;

    bool operator==(const FlowInstance &o) const {
        return first_us == o.first_us && sameFlowKey(key, o.key);
    }
};

inline uint32_t hashFlowInstance(const FlowInstance &f) {
    static_assert(sizeof(FlowInstance) == 48);
    uint64_t words[6];
    std::memcpy(words, &f.key, 40);
    words[5] = f.first_us;
    return mixWords(0x9E3779B97F4A7C15ULL, words);
}

struct FlowInstanceHash {
    size_t operator()(const FlowInstance &f) const { return hashFlowInstance(f); }
};

// The entries are found through an open-addressing index (SlotIndex: 8
// bytes a slot, hash and entry number) and kept in chunks that never move:
// a lookup costs the index's line and the entry's, where a node map's cost
// its bucket, the node before the bucket's first and the node (47% of the
// sensor's own CPU in nic_bench, 200 K flows alive). An entry keeps its
// address until the instance is taken or dropped, whatever else comes and
// goes (PayloadOrder hands DPI pointers to them).
class LiveClassifications {
  public:
    // A flow instance's classification and the payload_index its next
    // payload record should have (PayloadOrder), 1 for a new entry: kept
    // together, found with one lookup a record.
    struct Entry {
        FlowClassification cls;
        uint32_t next_payload = 1;
        // PayloadOrder keeps a line of records waiting for this instance
        // (or did: it may be gone). False: it has none, and needs no look.
        bool has_line = false;
    };

    // The instance's entry, created empty on first use.
    Entry &entry(const FlowInstance &flow);
    // The instance's entry, or nullptr (none is made).
    Entry *find(const FlowInstance &flow);
    // A hint: the instance will be looked up soon (its index slot fetched).
    void prefetch(const FlowInstance &flow) const { index_.prefetch(hashFlowInstance(flow)); }

    // Removes and returns the instance's classification (empty if it never
    // had payload).
    FlowClassification take(const FlowInstance &flow);

    // Drops classifications of flows that cannot still be open: no flow
    // lives past the active timeout, so one that started before `cutoff_us`
    // was exported without them (its payload record came too late).
    // Returns how many were dropped.
    size_t dropOlderThan(uint64_t cutoff_us);

    size_t size() const { return count_; }

  private:
    struct Record {
        FlowInstance flow;
        Entry entry;
    };

    // The slot holding `flow`, or the empty one where it would go.
    size_t slotOf(const FlowInstance &flow, uint32_t hash) const {
        return index_.find(hash, [&](uint32_t id) { return records_[id].flow == flow; });
    }
    void erase(size_t slot);

    SlotIndex index_;
    ChunkedVector<Record, 10> records_;  // never moved: entries keep their address
    std::vector<uint32_t> free_;         // erased records, reused first
    size_t count_ = 0;
};

}  // namespace netflow

// The userspace flow table: flows by key, and the three orders in which
// they expire (docs/spec/FEATURES.md, "Timeouts" and "TCP end").
//
// Time only moves forward (earlier packets take the latest time seen), so
// keeping a list by last-packet time (moved to the tail on every packet), a
// list by first-packet time (insertion order) and a list of ended TCP flows
// (by last-packet time) makes every expiry check O(1): only list heads can
// be the next to expire.
#pragma once

#include <cstdint>
#include <vector>

#include "common/Prefetch.h"
#include "flow/ChunkedVector.h"
#include "flow/FlowRecord.h"
#include "flow/SlotIndex.h"

namespace netflow {

class FlowTable {
  public:
    explicit FlowTable(const nf_timeouts &timeouts);

    size_t size() const { return count_; }

    // The flow with this key, or kNoFlow; `hash` is the key's (hashFlowKey:
    // the caller has it, PacketKey).
    uint32_t find(const nf_flow_key &key, uint32_t hash) const;

    // Hints for a find() of a key with this hash (hashFlowKey) a little
    // later (a batch of packets): bring its home slot into the cache, then
    // (once that is there) the record the slot names.
    void prefetchSlot(uint32_t hash) const { slots_.prefetch(hash); }
    void prefetchRecord(uint32_t hash) const;

    // A new flow (the key must not be present). Its state is zeroed, ready
    // for nf_flow_init; it is inserted at the tail of the expiry lists.
    // `first_seen` orders flows exported together: it must grow with every
    // insert.
    uint32_t insert(const nf_flow_key &key, uint32_t hash, uint64_t first_seen);

    FlowRecord &at(uint32_t id) { return records_[id]; }
    const FlowRecord &at(uint32_t id) const { return records_[id]; }

    // After a packet was counted on the flow: move it in the expiry lists.
    void touch(uint32_t id);

    // Appends to `out` every flow expired at now_us, in start order.
    void collectExpired(uint64_t now_us, std::vector<uint32_t> &out);

    // Appends every flow, in start order.
    void collectAll(std::vector<uint32_t> &out) const;

    // Removes the flow; its record slot is reused later. The record's
    // classification (nDPI state) is released here.
    void erase(uint32_t id);

  private:
    struct List {
        uint32_t head = kNoFlow;
        uint32_t tail = kNoFlow;
    };
    using LinksOf = ListLinks FlowRecord::*;

    size_t slotOf(const nf_flow_key &key, uint32_t hash) const;

    void pushBack(List &list, LinksOf links, uint32_t id);
    void unlink(List &list, LinksOf links, uint32_t id);

    nf_timeouts timeouts_;
    ChunkedVector<FlowRecord, 10> records_;  // chunks: growing never copies the records
    uint32_t free_head_ = kNoFlow;           // erased records, linked by by_first.next
    SlotIndex slots_;                        // the records' ids by key hash
    size_t count_ = 0;
    List by_last_, by_first_, by_end_;
    // No flow can expire at or before this time: the earliest deadline of
    // the list heads when last computed, lowered by touch() with each
    // touched flow's own deadlines. Saves walking the heads on every packet.
    uint64_t no_expiry_until_ = 0;
};

}  // namespace netflow

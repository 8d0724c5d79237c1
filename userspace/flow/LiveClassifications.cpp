#include "flow/LiveClassifications.h"

#include <utility>

namespace netflow {

LiveClassifications::Entry &LiveClassifications::entry(const FlowInstance &flow) {
    const uint32_t hash = hashFlowInstance(flow);
    size_t slot = slotOf(flow, hash);
    if (index_.id(slot) != SlotIndex::kEmpty)
        return records_[index_.id(slot)].entry;
    if (index_.makeRoom(count_ + 1))
        slot = slotOf(flow, hash);
    uint32_t id;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
    } else {
        id = static_cast<uint32_t>(records_.size());
        records_.emplace_back();
    }
    Record &rec = records_[id];
    rec.flow = flow;
    index_.set(slot, hash, id);
    count_++;
    return rec.entry;
}

LiveClassifications::Entry *LiveClassifications::find(const FlowInstance &flow) {
    const uint32_t id = index_.id(slotOf(flow, hashFlowInstance(flow)));
    return id == SlotIndex::kEmpty ? nullptr : &records_[id].entry;
}

void LiveClassifications::erase(size_t slot) {
    const uint32_t id = index_.id(slot);
    records_[id].entry = Entry{};  // nDPI's flow state freed now
    free_.push_back(id);
    count_--;
    index_.erase(slot);
}

FlowClassification LiveClassifications::take(const FlowInstance &flow) {
    const size_t slot = slotOf(flow, hashFlowInstance(flow));
    if (index_.id(slot) == SlotIndex::kEmpty)
        return FlowClassification{};
    FlowClassification cls = std::move(records_[index_.id(slot)].entry.cls);
    erase(slot);
    return cls;
}

size_t LiveClassifications::dropOlderThan(uint64_t cutoff_us) {
    // Chosen first, then erased: a deletion shifts slots the scan has not
    // reached yet back over ones it has.
    std::vector<FlowInstance> old;
    index_.forEach([&](uint32_t id) {
        if (records_[id].flow.first_us < cutoff_us)
            old.push_back(records_[id].flow);
    });
    for (const FlowInstance &flow : old)
        erase(slotOf(flow, hashFlowInstance(flow)));
    return old.size();
}

}  // namespace netflow

#include "flow/LiveClassifications.h"

#include <utility>

namespace netflow {

size_t LiveClassifications::slotOf(const FlowInstance &flow, uint32_t hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot &slot = slots_[i];
        if (slot.id == kNone || (slot.hash == hash && records_[slot.id].flow == flow))
            return i;
    }
}

void LiveClassifications::grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{0, kNone});
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot &slot : old) {
        if (slot.id == kNone)
            continue;
        size_t i = slot.hash & mask;
        while (slots_[i].id != kNone)
            i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

LiveClassifications::Entry &LiveClassifications::entry(const FlowInstance &flow) {
    const uint32_t hash = hashFlowInstance(flow);
    size_t slot = slotOf(flow, hash);
    if (slots_[slot].id != kNone)
        return records_[slots_[slot].id].entry;
    if ((count_ + 1) * 2 > slots_.size()) {  // load factor at most 1/2
        grow();
        slot = slotOf(flow, hash);
    }
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
    slots_[slot] = Slot{hash, id};
    count_++;
    return rec.entry;
}

LiveClassifications::Entry *LiveClassifications::find(const FlowInstance &flow) {
    const size_t slot = slotOf(flow, hashFlowInstance(flow));
    return slots_[slot].id == kNone ? nullptr : &records_[slots_[slot].id].entry;
}

void LiveClassifications::erase(size_t slot) {
    const uint32_t id = slots_[slot].id;
    records_[id].entry = Entry{};  // nDPI's flow state freed now
    free_.push_back(id);
    count_--;
    // Backward-shift deletion (as FlowTable's): probe runs stay unbroken
    // without tombstones.
    const size_t mask = slots_.size() - 1;
    size_t hole = slot;
    for (size_t i = (hole + 1) & mask; slots_[i].id != kNone; i = (i + 1) & mask) {
        const size_t home = slots_[i].hash & mask;
        const bool movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
        if (movable) {
            slots_[hole] = slots_[i];
            hole = i;
        }
    }
    slots_[hole] = Slot{0, kNone};
}

FlowClassification LiveClassifications::take(const FlowInstance &flow) {
    const size_t slot = slotOf(flow, hashFlowInstance(flow));
    if (slots_[slot].id == kNone)
        return FlowClassification{};
    FlowClassification cls = std::move(records_[slots_[slot].id].entry.cls);
    erase(slot);
    return cls;
}

size_t LiveClassifications::dropOlderThan(uint64_t cutoff_us) {
    // Chosen first, then erased: a deletion shifts slots the scan has not
    // reached yet back over ones it has.
    std::vector<FlowInstance> old;
    for (const Slot &slot : slots_)
        if (slot.id != kNone && records_[slot.id].flow.first_us < cutoff_us)
            old.push_back(records_[slot.id].flow);
    for (const FlowInstance &flow : old)
        erase(slotOf(flow, hashFlowInstance(flow)));
    return old.size();
}

}  // namespace netflow

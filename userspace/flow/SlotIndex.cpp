#include "flow/SlotIndex.h"

namespace netflow {

void SlotIndex::grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{0, kEmpty});
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot &slot : old) {
        if (slot.id == kEmpty)
            continue;
        size_t i = slot.hash & mask;
        while (slots_[i].id != kEmpty)
            i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

void SlotIndex::erase(size_t slot) {
    const size_t mask = slots_.size() - 1;
    size_t hole = slot;
    for (size_t i = (hole + 1) & mask; slots_[i].id != kEmpty; i = (i + 1) & mask) {
        // A slot may move back into the hole unless its home lies after the
        // hole and up to it (cyclically): it would then sit before its home.
        const size_t home = slots_[i].hash & mask;
        const bool movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
        if (movable) {
            slots_[hole] = slots_[i];
            hole = i;
        }
    }
    slots_[hole] = Slot{0, kEmpty};
}

}  // namespace netflow

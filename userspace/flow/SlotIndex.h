// An open-addressing index of 32-bit ids by 32-bit hash, for tables that
// keep their entries elsewhere (in chunks that never move): linear probing
// over a power-of-two array of 8-byte slots, at most half full, and
// backward-shift deletion, so probe runs stay unbroken without tombstones.
// A lookup reads the home slot's line (and the next ones while the run
// goes on) and, for a slot whose hash matches, the caller's entry.
// FlowTable (offline flows) and LiveClassifications (the live path's
// classifications) are built on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/Prefetch.h"

namespace netflow {

class SlotIndex {
  public:
    static constexpr uint32_t kEmpty = UINT32_MAX;  // an id no entry has

    explicit SlotIndex(size_t slots = 64) : slots_(slots, Slot{0, kEmpty}) {}

    // The slot holding the id for which `same(id)` holds among those
    // stored with `hash`, or the empty slot where such an id would go.
    template <typename Same>
    size_t find(uint32_t hash, Same same) const {
        const size_t mask = slots_.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            const Slot &slot = slots_[i];
            if (slot.id == kEmpty || (slot.hash == hash && same(slot.id)))
                return i;
        }
    }
    uint32_t id(size_t slot) const { return slots_[slot].id; }

    // Before storing the `count`th id: doubles the slots when they would
    // be more than half full (a slot found before is stale then).
    bool makeRoom(size_t count) {
        if (count * 2 <= slots_.size())
            return false;
        grow();
        return true;
    }
    // Stores an id in the empty slot find() returned.
    void set(size_t slot, uint32_t hash, uint32_t id) { slots_[slot] = Slot{hash, id}; }
    // Empties a slot, moving later ones of its run back into the hole.
    void erase(size_t slot);

    // A hint: a find() with this hash comes soon.
    void prefetch(uint32_t hash) const { prefetchLine(&slots_[hash & (slots_.size() - 1)]); }
    // The id in the hash's home slot (kEmpty if none): a guess, for hints.
    uint32_t homeId(uint32_t hash) const { return slots_[hash & (slots_.size() - 1)].id; }

    // Calls f(id) for every stored id, in slot order.
    template <typename F>
    void forEach(F f) const {
        for (const Slot &slot : slots_)
            if (slot.id != kEmpty)
                f(slot.id);
    }

  private:
    struct Slot {
        uint32_t hash;
        uint32_t id;
    };
    void grow();

    std::vector<Slot> slots_;
};

}  // namespace netflow

// SlotIndex: ids found by hash through runs that wrap around the end of the
// slots, erased from anywhere in a run (the rest of it stays findable), and
// found again after the slots double.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "flow/SlotIndex.h"

namespace {

using netflow::SlotIndex;

// Ids stored with `hash` of the caller's choosing; an id matches itself.
struct Stored {
    SlotIndex index{16};
    std::map<uint32_t, uint32_t> hash_of;  // id -> hash

    size_t slotOf(uint32_t id) const {
        return index.find(hash_of.at(id), [id](uint32_t other) { return other == id; });
    }
    void add(uint32_t id, uint32_t hash) {
        hash_of[id] = hash;
        index.makeRoom(hash_of.size());
        const size_t slot = slotOf(id);
        ASSERT_EQ(index.id(slot), SlotIndex::kEmpty);
        index.set(slot, hash, id);
    }
    void erase(uint32_t id) {
        const size_t slot = slotOf(id);
        ASSERT_EQ(index.id(slot), id);
        index.erase(slot);
        hash_of.erase(id);
    }
    void expectAllFound() const {
        std::set<uint32_t> seen;
        index.forEach([&](uint32_t id) { seen.insert(id); });
        EXPECT_EQ(seen.size(), hash_of.size());
        for (const auto &[id, hash] : hash_of)
            EXPECT_EQ(index.id(slotOf(id)), id) << "id " << id;
    }
};

TEST(SlotIndex, RunsThatWrapAroundSurviveErasesAnywhere) {
    // Homes 14 and 15 of 16 slots: the runs wrap into slots 0, 1, 2.
    for (uint32_t victim = 1; victim <= 6; victim++) {
        Stored s;
        s.add(1, 14);
        s.add(2, 15);
        s.add(3, 14);  // slot 0
        s.add(4, 15);  // slot 1
        s.add(5, 0);   // home 0, pushed to slot 2
        s.add(6, 1);   // home 1, slot 3
        s.expectAllFound();
        const uint32_t hash = s.hash_of.at(victim);
        s.erase(victim);
        s.expectAllFound();
        const size_t where = s.index.find(hash, [victim](uint32_t id) { return id == victim; });
        EXPECT_EQ(s.index.id(where), SlotIndex::kEmpty) << "victim " << victim;
    }
}

TEST(SlotIndex, RandomAddsAndErasesAcrossGrowth) {
    Stored s;
    std::mt19937 rng(3);
    uint32_t next = 0;
    for (int step = 0; step < 20000; step++) {
        if (s.hash_of.empty() || rng() % 3 != 0) {
            s.add(next++, rng() % 64);  // few homes: long runs
        } else {
            auto it = s.hash_of.begin();
            std::advance(it, rng() % s.hash_of.size());
            s.erase(it->first);
        }
        if (step % 1000 == 0)
            s.expectAllFound();
    }
    s.expectAllFound();
}

}  // namespace

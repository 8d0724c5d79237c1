#include "labels/AttackNames.h"

#include <cstring>

namespace netflow {

namespace {

// 8 bytes at a time, each product's high half folded down before the
// next (a product's low bits see only its inputs' low bits: "Attack-1" and
// "Attack-2" differ in a word's top byte), then a final mix.
uint64_t hashName(std::string_view name) {
    uint64_t h = name.size() * 0x9e3779b97f4a7c15ULL;
    size_t i = 0;
    for (; i + 8 <= name.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, name.data() + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, name.data() + i, name.size() - i);
    h = (h ^ tail) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xe7037ed1a0b428dbULL;
    return h ^ (h >> 32);
}

}  // namespace

uint32_t NameNumbers::number(std::string_view name) {
    const uint64_t h = hashName(name);
    const size_t mask = slots_.size() - 1;
    for (size_t s = h & mask;; s = (s + 1) & mask) {
        Slot &slot = slots_[s];
        if (slot.number == kFree) {
            slot = Slot{h, static_cast<uint32_t>(names_.size())};
            names_.emplace_back(name);
            const uint32_t number = slot.number;
            if (2 * names_.size() > slots_.size())
                grow();
            return number;
        }
        if (slot.hash == h && names_[slot.number] == name)
            return slot.number;
    }
}

void NameNumbers::grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot &slot : old) {
        if (slot.number == kFree)
            continue;
        size_t s = slot.hash & mask;
        while (slots_[s].number != kFree)
            s = (s + 1) & mask;
        slots_[s] = slot;
    }
}

AttackNames::AttackNames(const LabelRuleSet &set) : names_(set.names) {
    attack_.reserve(names_.size());
    for (const std::string &name : names_)
        attack_.push_back(isAttackName(name));
}

}  // namespace netflow

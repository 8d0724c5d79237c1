#include "labels/AttackNames.h"

namespace netflow {

uint32_t NameNumbers::number(std::string_view name) {
    // A slot by the name's length and two of its characters: a file's few
    // dozen names each keep one, mostly.
    const size_t n = name.size();
    const size_t slot =
        n ? (n * 7 + static_cast<uint8_t>(name[n - 1]) * 31 + static_cast<uint8_t>(name[n / 2])) %
                kRecent
          : 0;
    uint32_t &recent = recent_[slot];
    if (recent != UINT32_MAX && names_[recent] == name)
        return recent;
    auto it = numbers_.find(name);
    if (it == numbers_.end()) {
        it = numbers_.emplace(name, static_cast<uint32_t>(names_.size())).first;
        names_.emplace_back(name);
    }
    return recent = it->second;
}

AttackNames::AttackNames(const LabelRuleSet &set) : names_(set.names) {
    attack_.reserve(names_.size());
    for (const std::string &name : names_)
        attack_.push_back(isAttackName(name));
}

}  // namespace netflow

#include "labels/AttackNames.h"

namespace netflow {

uint32_t NameNumbers::number(std::string_view name) {
    if (last_ != UINT32_MAX && names_[last_] == name)
        return last_;
    auto it = numbers_.find(name);
    if (it == numbers_.end()) {
        it = numbers_.emplace(name, static_cast<uint32_t>(names_.size())).first;
        names_.emplace_back(name);
    }
    return last_ = it->second;
}

AttackNames::AttackNames(const LabelRuleSet &set) : names_(set.names) {
    attack_.reserve(names_.size());
    for (const std::string &name : names_)
        attack_.push_back(isAttackName(name));
}

}  // namespace netflow

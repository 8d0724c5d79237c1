#include "labels/CompiledLabels.h"

#include <algorithm>
#include <iterator>

namespace netflow {

CompiledLabels::CompiledLabels(LabelRuleSet rule_set)
    : set(std::move(rule_set)), matcher(set.rules), names(set), count_(set.rules.size()) {
    for (size_t i = 0; i < count_; i++) {
        const LabelRule &r = set.rules[i];
        const uint32_t offset = r.line - static_cast<uint32_t>(i);
        if (line_steps_.empty() || line_steps_.back().offset != offset)
            line_steps_.push_back(LineStep{static_cast<uint32_t>(i), offset});
        if (AttackNames::number(r.name) == AttackNames::kOwnName)
            own_names_.emplace(static_cast<uint32_t>(i), r.name);
    }
    line_steps_.shrink_to_fit();
    BigVector<LabelRule>().swap(set.rules);
}

const std::string &CompiledLabels::attack(size_t rule) const {
    const uint16_t number = matcher.nameOf(rule);
    return set.names[number != AttackNames::kOwnName ? number
                                                     : own_names_.at(static_cast<uint32_t>(rule))];
}

uint32_t CompiledLabels::line(size_t rule) const {
    auto after = std::upper_bound(line_steps_.begin(), line_steps_.end(), rule,
                                  [](size_t r, const LineStep &step) { return r < step.rule; });
    return static_cast<uint32_t>(rule) + std::prev(after)->offset;
}

}  // namespace netflow

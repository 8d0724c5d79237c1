#include "labels/AttackNames.h"

#include <string_view>
#include <unordered_map>

namespace netflow {

AttackNames::AttackNames(const BigVector<LabelRule> &rules) : of_rule_(rules.size()) {
    std::unordered_map<std::string_view, uint16_t> number;
    // Rules of one name come in runs: most rules skip the hash.
    std::string_view last;
    uint16_t last_number = kOwnName;
    for (size_t i = 0; i < rules.size(); i++) {
        const std::string_view name = rules[i].attack;
        if (last_number == kOwnName || name != last) {
            auto it = number.find(name);
            if (it != number.end()) {
                last_number = it->second;
            } else if (names_.size() < kOwnName) {
                last_number = static_cast<uint16_t>(names_.size());
                names_.push_back(rules[i].attack);
                attack_.push_back(isAttackName(rules[i].attack));
                // Keyed by the rule's string: names_ may move its own.
                number.emplace(name, last_number);
            } else {
                last_number = kOwnName;
            }
            last = name;
        }
        of_rule_[i] = last_number;
    }
}

}  // namespace netflow

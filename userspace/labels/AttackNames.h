// The Attack name of each rule as a small number into a table of the
// distinct names (a rules file has a few dozen at most, 100,000 rules):
// labelling a flow reads 2 bytes a rule and the table, which stay in
// cache, not the rule's 112 bytes (a cache miss a labelled flow, ~12 ms
// of 100,000 CIC-style rules' conversion).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "labels/BigMemory.h"
#include "labels/LabelRule.h"

namespace netflow {

class AttackNames {
  public:
    explicit AttackNames(const BigVector<LabelRule> &rules);

    // The name of rules[rule] (the rules built from) and whether it is an
    // attack (the Label column).
    const std::string &name(const BigVector<LabelRule> &rules, size_t rule, bool *attack) const {
        const uint16_t n = of_rule_[rule];
        if (n == kOwnName) {
            // Past the table's numbers: the rule's own name.
            const std::string &own = rules[rule].attack;
            *attack = isAttackName(own);
            return own;
        }
        *attack = attack_[n];
        return names_[n];
    }

  private:
    static constexpr uint16_t kOwnName = UINT16_MAX;

    std::vector<std::string> names_;
    std::vector<uint8_t> attack_;
    BigVector<uint16_t> of_rule_;
};

}  // namespace netflow

// The Attack name of each rule as a small number into a table of the
// distinct names (a rules file has a few dozen at most, 100,000 rules):
// labelling a flow reads a few bytes a rule (FlowLabeler keeps them with
// its counts) and the table, which stays in cache, not the rule's 112
// bytes (a cache miss a labelled flow, ~12 ms of 100,000 CIC-style rules'
// conversion).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "labels/BigMemory.h"
#include "labels/LabelRule.h"

namespace netflow {

class AttackNames {
  public:
    // A rule whose name is past the table's numbers (more than 65,535
    // distinct names): its own name is rules[rule].attack.
    static constexpr uint16_t kOwnName = UINT16_MAX;

    explicit AttackNames(const BigVector<LabelRule> &rules);

    // The number of rules[rule]'s name (the rules built from), or kOwnName.
    uint16_t number(size_t rule) const { return of_rule_[rule]; }
    // A number's name and whether it is an attack (the Label column).
    const std::string &name(uint16_t number) const { return names_[number]; }
    bool attack(uint16_t number) const { return attack_[number] != 0; }
    size_t count() const { return names_.size(); }

  private:
    std::vector<std::string> names_;
    std::vector<uint8_t> attack_;
    BigVector<uint16_t> of_rule_;
};

}  // namespace netflow

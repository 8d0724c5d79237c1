// --labels FILE read and compiled once, before any packet: shared by the
// run's FlowFeatures (immutable from then on).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "labels/AttackNames.h"
#include "labels/BigMemory.h"
#include "labels/LabelMatcher.h"
#include "labels/LabelRule.h"

namespace netflow {

struct CompiledLabels {
    // What the run keeps of a rule once the index is built: its Attack
    // name's number (into set.names) and its line, for the summary. The
    // rule itself (72 bytes: 7.2 MB for 100,000 rules) is freed then.
    struct RuleRef {
        uint32_t name;
        uint32_t line;
    };

    explicit CompiledLabels(LabelRuleSet rule_set)
        : set(std::move(rule_set)), rules(refsOf(set.rules)), matcher(set.rules), names(set) {
        BigVector<LabelRule>().swap(set.rules);
    }

    // The Attack name of rule `rule`.
    const std::string &attack(size_t rule) const { return set.names[rules[rule].name]; }

    LabelRuleSet set;  // its path, names and notes; no rules once compiled
    BigVector<RuleRef> rules;
    LabelMatcher matcher;
    AttackNames names;

  private:
    static BigVector<RuleRef> refsOf(const BigVector<LabelRule> &all) {
        BigVector<RuleRef> refs(all.size());
        for (size_t i = 0; i < all.size(); i++)
            refs[i] = RuleRef{all[i].name, all[i].line};
        return refs;
    }
};

}  // namespace netflow

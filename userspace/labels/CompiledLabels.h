// --labels FILE read and compiled once, before any packet: shared by the
// run's FlowFeatures (immutable from then on).
#pragma once

#include <utility>

#include "labels/AttackNames.h"
#include "labels/LabelMatcher.h"
#include "labels/LabelRule.h"

namespace netflow {

struct CompiledLabels {
    explicit CompiledLabels(LabelRuleSet rule_set)
        : set(std::move(rule_set)), matcher(set.rules), names(set) {}

    LabelRuleSet set;
    LabelMatcher matcher;
    AttackNames names;
};

}  // namespace netflow

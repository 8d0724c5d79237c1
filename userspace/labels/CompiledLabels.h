// --labels FILE read and compiled once, before any packet: shared by the
// run's FlowFeatures (immutable from then on).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "labels/AttackNames.h"
#include "labels/LabelMatcher.h"
#include "labels/LabelRule.h"

namespace netflow {

// What the run keeps of the rules once the index is built: the index,
// and for the summary each rule's Attack name (the index keeps its
// number) and line. The rules themselves (72 bytes each: 7.2 MB for
// 100,000) are freed then; so is what an 8-byte name and line a rule
// kept (0.8 MB, held through the run: memory held through a run cost it
// ~1-4.5 ms a MB on one host here, nothing on another, docs/decisions.md
// "Labels: the index's memory").
class CompiledLabels {
  public:
    explicit CompiledLabels(LabelRuleSet rule_set);

    size_t ruleCount() const { return count_; }
    // The Attack name of rule `rule`.
    const std::string &attack(size_t rule) const;
    // Its line in the file.
    uint32_t line(size_t rule) const;

    LabelRuleSet set;  // its path, names and notes; no rules once compiled
    LabelMatcher matcher;
    AttackNames names;

  private:
    size_t count_;
    // A rule's line is its index plus the offset of the last step at or
    // before it: one step for a file without comments, skipped or
    // repeated lines.
    struct LineStep {
        uint32_t rule, offset;
    };
    std::vector<LineStep> line_steps_;
    // The names past AttackNames' 16-bit numbers (kOwnName), by rule.
    std::unordered_map<uint32_t, uint32_t> own_names_;
};

}  // namespace netflow

// The Attack names of a rules file as small numbers. NameNumbers gives
// each distinct name its number as the file is read (LabelRule::name);
// AttackNames is the table the labeller reads: a rules file has a few
// dozen names for 100,000 rules, so labelling a flow reads a few bytes a
// rule (FlowLabeler keeps them with its counts) and this table, which
// stays in cache, not the rule (a cache miss a labelled flow, ~12 ms of
// 100,000 CIC-style rules' conversion).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "labels/LabelRule.h"

namespace netflow {

class NameNumbers {
  public:
    // Numbers into `names`, which it appends the new names to.
    explicit NameNumbers(std::vector<std::string> &names) : names_(names) {
        recent_.fill(UINT32_MAX);
    }

    // The number of name (the names met lately are compared first, without
    // hashing: ~15 ns a rule less for 100,000 rules of a few dozen names).
    uint32_t number(std::string_view name);

  private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::vector<std::string> &names_;
    std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> numbers_;
    static constexpr size_t kRecent = 64;
    std::array<uint32_t, kRecent> recent_;  // a name's number by slot (UINT32_MAX: none)
};

class AttackNames {
  public:
    // The numbers FlowLabeler keeps (16 bits): a rule whose name's number
    // is past them (more than 65,535 distinct names) has its own,
    // rules[rule].name.
    static constexpr uint16_t kOwnName = UINT16_MAX;

    explicit AttackNames(const LabelRuleSet &set);

    // A rule's name's number (LabelRule::name) in 16 bits, or kOwnName.
    static uint16_t number(uint32_t name) {
        return name < kOwnName ? static_cast<uint16_t>(name) : kOwnName;
    }
    // A number's name and whether it is an attack (the Label column).
    const std::string &name(uint32_t number) const { return names_[number]; }
    bool attack(uint32_t number) const { return attack_[number] != 0; }
    size_t count() const { return names_.size(); }

  private:
    const std::vector<std::string> &names_;  // the set's
    std::vector<uint8_t> attack_;
};

}  // namespace netflow

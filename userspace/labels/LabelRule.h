// One labelling rule, as read from a rules file (CIC-IDS style) or a
// UNSW-NB15 ground-truth line: who, which ports, which protocol, when.
// Every field may be "any".
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "labels/BigMemory.h"

namespace netflow {

// Unbounded times, far enough from the int64 limits to add 1 safely.
inline constexpr int64_t kLabelTimeMin = std::numeric_limits<int64_t>::min() / 4;
inline constexpr int64_t kLabelTimeMax = std::numeric_limits<int64_t>::max() / 4;

// An address or CIDR; family 0 is any address. IPv4 uses bytes[0..3].
struct AddressPrefix {
    uint8_t family = 0;  // 0, 4 or 6
    uint8_t length = 0;  // prefix bits
    std::array<uint8_t, 16> bytes{};
    bool any() const { return family == 0; }
};

struct PortRange {
    uint16_t lo = 0, hi = 65535;
    bool any() const { return lo == 0 && hi == 65535; }
};

// 72 bytes, nothing to destroy: 100,000 rules are written once when read,
// read by each shape as the index is built, and freed without a walk over
// them (with its Attack name as a std::string it was 112 bytes, and each
// rule's string destroyed at the end).
struct LabelRule {
    int64_t start_us = kLabelTimeMin, end_us = kLabelTimeMax;  // inclusive
    AddressPrefix src, dst;
    PortRange sport, dport;
    uint32_t name = 0;          // the Attack column's value when it matches: names[name]
    uint32_t line = 0;          // in the file, for -v
    int16_t proto = -1;         // -1: any
    bool forward_only = false;  // direction=forward: src must be the flow's source
};
static_assert(sizeof(LabelRule) == 72);

struct LabelRuleSet {
    std::string path;
    // In file order: the first that matches wins (7 MB for 100,000 rules:
    // on 2 MB pages).
    BigVector<LabelRule> rules;
    // The distinct Attack names, in order of first use (a rules file has a
    // few dozen).
    std::vector<std::string> names;
    const std::string &attack(const LabelRule &rule) const { return names[rule.name]; }
    // Lines read but not made into rules (duplicates, unknown protocols),
    // said once at the start of the run.
    std::vector<std::string> notes;
};

// The Label of an Attack name: 0 for "Benign" (any case), else 1. A rule
// named Benign is an exception: it keeps matching flows out of later rules.
bool isAttackName(const std::string &name);

}  // namespace netflow

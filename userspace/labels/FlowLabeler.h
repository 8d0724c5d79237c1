// Label and Attack of each exported flow under --labels: the first rule
// that matches, else the default (Benign, or --attack's name). Counts the
// flows of every rule and every Attack name for the run's summary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/FlowRecord.h"
#include "labels/CompiledLabels.h"

namespace netflow {

struct FlowLabel {
    bool attack = false;  // the Label column
    const std::string *name = nullptr;
};

// The rules' view of a flow: its source is the CSV's src. clock_offset_us
// makes its times wall-clock (live kernel path).
FlowView flowView(const FlowRecord &flow, int64_t clock_offset_us);

class FlowLabeler {
  public:
    FlowLabeler(std::shared_ptr<const CompiledLabels> rules, std::string default_name);

    // The flow's label, looked up once per flow (Label and Attack both ask).
    const FlowLabel &label(const FlowRecord &flow, int64_t clock_offset_us);

    // The lookup of this flow's label in steps (LabelMatcher::start,
    // advance): prefetch() as its row begins, advance() some columns later,
    // label() when its columns come; the row's other columns overlap the
    // cache misses of each step. label() of another flow looks it up at
    // once.
    void prefetch(const FlowRecord &flow, int64_t clock_offset_us);
    void advance();

    // For the end of the run: flows per Attack name, how many rules matched,
    // the rule set's notes; verbose adds the rules that matched no flow and
    // how many flows the rules matched. Names and the path as printableText
    // shows them (a name that is no UTF-8, from a file in another encoding,
    // escaped, not sent to the terminal raw).
    std::string summary(bool verbose) const;

  private:
    std::shared_ptr<const CompiledLabels> rules_;
    std::string default_name_;
    bool default_attack_;
    // The flows each rule matched, saturating at 255 (the summary only tells
    // none, one, 2-9 and 10 or more apart). A labelled flow's count is
    // fetched when it is found and added when the next flow is labelled
    // (pending_): added at once, it was a cache miss a labelled flow that
    // the row waited for (~6 ms of a conversion with 100,000 CIC-style
    // rules). The name comes with the match.
    BigVector<uint8_t> flows_;
    int32_t pending_ = LabelMatch::kNone;  // a rule whose flow is not in flows_ yet
    uint8_t flowsOf(size_t rule) const;
    std::vector<uint64_t> name_flows_;                  // by name number
    std::unordered_map<uint32_t, uint64_t> own_flows_;  // by rule, for kOwnName's
    uint64_t default_flows_ = 0;

    // A flow record as it was when looked at (first_seen alone could
    // repeat between the kernel engine's records and its overflow
    // table's; a record is updated in place).
    struct Seen {
        const FlowRecord *flow = nullptr;
        uint64_t first_seen = 0, first_us = 0, last_us = 0;
        int64_t clock_offset_us = 0;
        static Seen of(const FlowRecord &flow, int64_t clock_offset_us);
        bool operator==(const Seen &) const = default;
    };

    LabelLookup lookup_;  // started by prefetch() for started_ (no flow: none)
    Seen started_;

    // The flow last labelled.
    Seen cached_flow_;
    FlowLabel cached_;
};

}  // namespace netflow

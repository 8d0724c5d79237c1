// The rules compiled for lookup: which rule, first in file order, matches a
// flow. A rule matches when its addresses, ports and protocol match the
// flow's (src as the flow's source, or, unless direction=forward, as its
// destination) and its [start, end] overlaps the flow's [first, last].
//
// Tuple space search (as in packet classifiers): every rule is put once
// under its shape (IP version, src and dst prefix lengths, ports given
// exactly or not, protocol given or not, direction=forward or not) in a
// hash table keyed by its masked fields; a port range is no key, but
// checked on the candidates of a bucket. A lookup masks the flow once per
// shape and direction (as it is, and reversed unless the shape's rules are
// forward only; a shape whose two sides are alike keeps its keys smaller
// side first and is probed once) and probes the shape's hash table: the
// rules of one bucket differ only in time and port ranges. In a bucket of
// more than a few rules the first rule overlapping [first, last] is found
// in O(log n): either it holds the instant `first` (the first rule of each
// elementary time segment is precomputed) or it starts within [first,
// last] (a range minimum over the rules sorted by start, in a segment
// tree). A lookup costs O(S log n) for S shapes, which the rules' kinds
// bound (a few dozen at most in practice), not their number; two table
// reads by the first 16 bits of the flow's addresses first turn away the
// shapes no key of which shares them. docs/decisions.md says more.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "labels/LabelRule.h"

namespace netflow {

// A flow as the rules see it: its source is the CSV's src (the client).
struct FlowView {
    uint8_t family = 4;                    // 4 or 6
    std::array<uint8_t, 16> src{}, dst{};  // IPv4 in bytes 0-3, the rest zero
    uint16_t sport = 0, dport = 0;
    uint8_t proto = 0;
    int64_t first_us = 0, last_us = 0;  // wall-clock (capture) times
    bool operator==(const FlowView &) const = default;
};

// The first rule that matches a flow and its Attack name's number.
struct LabelMatch {
    static constexpr int32_t kNone = -1;
    int32_t rule = kNone;  // its index, or kNone
    uint16_t name = 0;     // AttackNames::number of its name
};

// A lookup made in steps (LabelMatcher::start, advance, finish), for a
// caller with other work to do while the index's lines arrive: a row's
// columns. Each step reads what the step before it fetched.
class LabelLookup {
  public:
    // Started for this flow and not finished (for tests: FlowLabeler knows
    // which record it started a lookup for).
    bool startedFor(const FlowView &flow) const { return step_ != 0 && flow_ == flow; }

  private:
    friend class LabelMatcher;
    // The probes start() can stop or keep (LeadMasks: the first 64 of an
    // IP version; the rest, if any, are made by finish()).
    static constexpr size_t kProbes = 64;
    FlowView flow_;
    uint8_t step_ = 0;  // 0: none started, 1: started, 2: advanced
    uint8_t count_ = 0;
    uint8_t probe_[kProbes];       // the live probes, in order
    uint64_t hash_[kProbes];       // after start(): the flow's hash under each
    const void *bucket_[kProbes];  // after advance(): its bucket under each
    uint64_t filtered_ = 0;        // bit i: probe_[i]'s filter is checked
    // How often each probe's filter turned a flow away (by IP version):
    // a filter that rarely does is not read (its line costs more than
    // the few table probes it saves), but for every 32nd lookup, which
    // keeps its count current. Results are the same either way.
    struct FilterCount {
        uint32_t checked = 0, turned_away = 0;
    };
    FilterCount filter_counts_[2][kProbes];
    uint32_t lookups_ = 0;
};

class LabelMatcher {
  public:
    static constexpr int32_t kNoMatch = LabelMatch::kNone;

    // At most INT32_MAX rules (else std::length_error).
    explicit LabelMatcher(std::span<const LabelRule> rules);
    ~LabelMatcher();
    LabelMatcher(const LabelMatcher &) = delete;
    LabelMatcher &operator=(const LabelMatcher &) = delete;

    // The first rule that matches the flow (its name read from the index,
    // where the match was found: labelling a flow reads nothing a rule
    // beside it), or rule kNoMatch. The three steps below, one after the
    // other.
    LabelMatch match(const FlowView &flow) const;

    // A lookup of the flow in steps, each a few hundred instructions of
    // other work after the one before (a row's columns), so that each
    // finds in cache what the one before fetched (the index of 100,000
    // rules is larger than the cache; a lookup made at once waits for
    // three misses, one after the other):
    // start: the shapes that may hold the flow's key (the lead masks, the
    //   protocol and gate bitmap checks), its hash under each; fetches the
    //   filter words and home slots;
    // advance: the filter checks, the buckets of the flow's keys; fetches
    //   their first rules (entries, or time index);
    // finish: the first rule matching, as match() (any step not made yet
    //   is made first).
    void start(const FlowView &flow, LabelLookup &lookup) const;
    void advance(LabelLookup &lookup) const;
    LabelMatch finish(LabelLookup &lookup) const;

    size_t shapes() const;
    // AttackNames::number of rule `rule`'s name.
    uint16_t nameOf(size_t rule) const;

  private:
    struct Index;
    std::unique_ptr<Index> index_;
};

}  // namespace netflow

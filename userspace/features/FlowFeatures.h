// Computes every column of docs/spec/FEATURES.md from a flow's counters and
// classification: the derived features (durations, rates, averages,
// standard deviations, milliseconds) that the counting core leaves to
// userspace.
#pragma once

#include <cstdint>
#include <string>

#include "dpi/FlowClassifier.h"
#include "features/FeatureValue.h"
#include "flow/FlowRecord.h"
#include "features/Columns.h"

namespace netflow {

// Inter-arrival statistics of one direction, in whole milliseconds.
struct IatMillis {
    uint64_t min = 0, max = 0, avg = 0, stddev = 0;
};
IatMillis iatMillis(const nf_dir_state &dir);

struct LabelSpec {
    bool attack = false;  // Label=1 and Attack=name, else 0 and Benign
    std::string name = "Benign";
};

class FlowFeatures {
  public:
    // clock_offset_us: added to the flow's times to make wall-clock time
    // (0 offline, where times are capture timestamps).
    FlowFeatures(const FlowClassifier &classifier, LabelSpec label, int64_t clock_offset_us = 0)
        : classifier_(classifier), label_(std::move(label)), clock_offset_us_(clock_offset_us) {}

    void compute(Column column, const FlowRecord &flow, FeatureValue &out) const;

  private:
    // The IAT statistics of the flow being written, computed once for its
    // eight IAT columns (the standard deviation takes a square root).
    const IatMillis &iat(const FlowRecord &flow, int dir) const;
    struct IatCache {
        const FlowRecord *flow = nullptr;
        uint64_t first_seen = 0;
        IatMillis dir[2];
    };
    mutable IatCache iat_cache_;

    const FlowClassifier &classifier_;
    LabelSpec label_;
    int64_t clock_offset_us_;
};

}  // namespace netflow

// Where every run's finished flows go, the same for all three (offline,
// live libpcap, live kernel): the classifier (nDPI, DNS, FTP), the derived
// features and the sink the options ask for (CSV or HTTP). The runs feed
// it through FlowMeter (frames) or KernelFlowEngine (the kernel's flows).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/Options.h"
#include "dpi/FlowClassifier.h"
#include "features/FlowFeatures.h"
#include "output/FlowSink.h"

namespace netflow {

// Whether the output has this column.
bool selectsColumn(const Options &options, Column column);
// Label and Attack as --attack and --labels set them; --anonymize.
LabelSpec labelSpec(const Options &options);

class FlowOutput {
  public:
    // clock_offset_us: added to flow times for the rows (the kernel path's
    // monotonic clock to wall-clock time). Throws std::runtime_error when
    // the output cannot be created.
    explicit FlowOutput(const Options &options, int64_t clock_offset_us = 0);

    FlowClassifier &classifier() { return classifier_; }
    FlowSink &sink() { return *sink_; }
    // The clock offset of the rows written from now on (see FlowFeatures).
    void setClockOffset(int64_t clock_offset_us) { features_.setClockOffset(clock_offset_us); }
    int64_t clockOffset() const { return features_.clockOffset(); }

    // Closes the output: "" or its error (a write error, flows not delivered).
    Result<void> finish() { return sink_->finish(); }
    // The output's lines for the end-of-run summary, or "" (after finish):
    // flows per attack label (--labels), the sink's own line (HTTP).
    std::string summary() const;

  private:
    FlowClassifier classifier_;
    FlowFeatures features_;
    std::unique_ptr<FlowSink> sink_;
    bool label_summary_;
    bool verbose_;
};

}  // namespace netflow

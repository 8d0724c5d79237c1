// Where finished flows go: a CSV file or an HTTP endpoint. The runs (offline,
// live libpcap, live kernel) hold one through this interface, made by
// makeSink() (pipeline/SinkFactory.h) from the options.
#pragma once

#include <string>
#include <vector>

#include "common/Result.h"

#include "flow/FlowMeter.h"
#include "output/OutputMetrics.h"

namespace netflow {

class FlowSink : public FlowExporter {
  public:
    // Makes every row exported so far visible to its reader now (CSV: the
    // buffer written and the file or pipe flushed). Live runs call it once
    // at start (the header) and after each export round that wrote rows
    // (docs/live-export.md); offline runs only when the input is a stream.
    // A write error is kept and returned by finish(). The HTTP sink has
    // nothing to do: its sender thread takes each flow as it comes.
    virtual void flush() {}

    // Writes or delivers what is still buffered and closes the output.
    // On failure, one line saying what failed (a write error, flows left
    // undelivered and where they are).
    virtual Result<void> finish() = 0;

    // A line for the end-of-run summary after finish(), or "" (the CSV
    // writer has nothing to add to the run's own summary).
    virtual std::string summary() const { return {}; }

    // --metrics: appends what each of its outputs has done so far (a sink
    // that feeds several outputs appends one entry each). Capture thread.
    virtual void addMetrics(std::vector<OutputMetrics> &out) const { (void)out; }
};

}  // namespace netflow
